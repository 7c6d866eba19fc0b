import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditReport } from '../../src/audit/report-model.ts';
import { runAudit } from '../../src/audit/run-audit.ts';
import { renderReportCharts } from '../../src/report/render-charts.ts';
import { simulate } from '../../src/simulate/index.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import { sessionRow } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();

/** report.json (charts rendered) without what may differ between two runs on the same input. */
async function comparable(audit: AuditReport): Promise<unknown> {
  const r = await renderReportCharts(audit);
  const { provenance, operations: _ops, ...rest } = r;
  const { generatedAt: _g, durationMs: _d, ...prov } = provenance;
  return { ...rest, provenance: prov };
}

describe('runAudit', () => {
  let store: DuckDbStore;
  before(async () => {
    store = await DuckDbStore.open(join(dir, 'audit.duckdb'));
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7, sessions: 6000 }), {
      name: 'simulate:wild-7',
    });
    const plain = Array.from({ length: 400 }, (_, i) => {
      const { classification: _c, category: _k, ...row } = sessionRow(i + 1, { run: 'plain' });
      return row;
    });
    await ingestRecords(store, plain, { name: 'plain' });
  });
  after(async () => {
    await store.close();
  });

  it('gives the same report.json twice on the same input, apart from timestamps and the operations log', async () => {
    const a = await runAudit(store, { run: 'wild-7', template: 'full', operations: false, fresh: true });
    const b = await runAudit(store, { run: 'wild-7', template: 'full', operations: false, fresh: true });
    assert.notEqual(a.auditId, b.auditId);
    assert.deepEqual(await comparable(b.report), await comparable(a.report));
  });

  it('resumes an interrupted audit into the same report a clean one gives', async () => {
    // interrupted as it starts the outputs section: the sections before it are complete in the store
    await assert.rejects(
      runAudit(store, {
        run: 'wild-7',
        template: 'full',
        operations: false,
        fresh: true,
        onSection: (id, status) => {
          if (id === 'outputs' && status === 'running') throw new Error('killed');
        },
      }),
      /killed/,
    );
    const resumed = await runAudit(store, { run: 'wild-7', template: 'full', operations: false });
    assert.ok(resumed.resumed.includes('aggregate-trajectory'), `resumed: ${resumed.resumed.join(', ')}`);
    const clean = await runAudit(store, { run: 'wild-7', template: 'full', operations: false, fresh: true });
    assert.deepEqual(await comparable(resumed.report), await comparable(clean.report));
  });

  it('tracks every section as complete in the store', async () => {
    const { auditId } = await runAudit(store, { run: 'wild-7', operations: false, fresh: true });
    const [latest] = await store.audits.listAudits('wild-7', 1);
    assert.equal(latest!.auditId, auditId);
    assert.equal(latest!.status, 'complete');
    assert.deepEqual(
      latest!.sections.map((s) => [s.sectionId, s.status]),
      [
        'overview',
        'calibration',
        'adjustment-history',
        'aggregate-trajectory',
        'outcome-correlation',
        'length-drift',
      ].map((id) => [id, 'complete']),
    );
  });

  it('cites only evidence ids that exist in the store', async () => {
    const { report } = await runAudit(store, { run: 'wild-7', template: 'full', operations: false });
    const findings = report.sections.flatMap((s) => s.findings);
    const sessions = [...new Set(findings.flatMap((f) => f.evidence.sessions))];
    const events = [...new Set(findings.flatMap((f) => f.evidence.events))];
    const annotations = [...new Set(findings.flatMap((f) => f.evidence.annotations))];
    const found = await store.scans.existingIds('wild-7', { sessions, events, annotations });
    assert.deepEqual(
      found.sessions.sort((x, y) => x - y),
      sessions.sort((x, y) => x - y),
    );
    assert.deepEqual(found.events.sort(), events.sort());
    assert.deepEqual(found.annotations.sort(), annotations.sort());
    assert.ok(report.excerpts.length > 0);
  });

  it('audits a run without events, annotations or categories, saying in one line each what is missing', async () => {
    const { report } = await runAudit(store, { run: 'plain', template: 'full', operations: false });
    assert.ok(
      report.sections.every((s) => s.status === 'complete'),
      JSON.stringify(report.sections.map((s) => [s.id, s.error])),
    );
    const missing = report.sections.flatMap((s) => s.missing);
    assert.ok(missing.some((m) => /events/.test(m)));
    assert.ok(missing.some((m) => /annotations/.test(m)));
    const findings = report.sections.flatMap((s) => s.findings);
    assert.ok(findings.some((f) => f.tags.includes('diversity')) || findings.length > 1);
  });

  it('keeps an operations log with a section duration per section and files irregularities against earlier bands', async () => {
    await runAudit(store, { run: 'plain', fresh: true });
    await runAudit(store, { run: 'plain', fresh: true });
    const { report } = await runAudit(store, { run: 'plain', fresh: true });
    const ops = report.operations!;
    assert.ok(ops.samples.length > 0);
    assert.deepEqual(
      ops.sections.map((s) => s.id),
      report.sections.map((s) => s.id),
    );
    assert.ok(Object.keys(ops.bands).length > 0, 'bands come from the earlier audits');
    for (const i of ops.irregularities) assert.match(i.report, /Classification: (routine|alert)\./);
  });
});
