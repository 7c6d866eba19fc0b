import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditReport } from '../../src/audit/report-model.ts';
import { runAudit } from '../../src/audit/run-audit.ts';
import { markStoreUnavailable, QueryError } from '../../src/model/errors.ts';
import { renderReportCharts } from '../../src/report/render-charts.ts';
import { simulate } from '../../src/simulate/index.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestFiles, ingestRecords } from '../../src/store/ingest.ts';
import { sessionRow, writeJsonl } from '../util/records.ts';
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
    const stepped = Array.from({ length: 407 }, (_, i) => {
      // low rewards only up to session 100 (step 12): the last one is session 99
      const high = i + 1 > 100 ? { baseline_reward: 0.85, adjusted_reward: 0.85 } : {};
      const { classification: _c, category: _k, ...row } = sessionRow(i + 1, { run: 'stepped', ...high });
      return row;
    });
    const plain = Array.from({ length: 400 }, (_, i) => {
      const { classification: _c, category: _k, ...row } = sessionRow(i + 1, { run: 'plain' });
      return row;
    });
    await ingestRecords(store, plain, { name: 'plain' });
    // the trainer's own per-step metrics of a stepped run (sessions 1–407: 8 per step, steps 0–50)
    const metrics = Array.from({ length: 51 }, (_, step) => ({
      step,
      train_reward: 0.4 + step / 100,
      kl: step / 50,
      eval_distinct_2: 0.9,
    }));
    await ingestRecords(store, stepped, { name: 'stepped' });
    const metricsFile = writeJsonl(join(dir, 'metrics.jsonl'), metrics);
    await ingestFiles(store, [metricsFile], { run: 'stepped' });
    // the same file again: it adds nothing (all duplicates), and provenance still lists it
    await ingestFiles(store, [metricsFile], { run: 'stepped' });
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

  it('stops at a store that no longer answers, marks the audit failed, and resumes from the section it stopped in', async () => {
    const base = { run: 'plain', template: 'full', operations: false } as const;
    const clean = await runAudit(store, { ...base, fresh: true });
    const ids = clean.report.sections.map((s) => s.id);
    // the store's scans fail as a ClickHouse shard that died does, from the third section on
    let section = '';
    const broken = Object.create(store, {
      scans: {
        value: new Proxy(store.scans, {
          get(target, p, receiver) {
            const v = Reflect.get(target, p, receiver) as unknown;
            if (typeof v !== 'function') return v;
            return (...args: unknown[]) => {
              if (ids.indexOf(section) >= 2) {
                throw markStoreUnavailable(
                  new QueryError('shard 2: All connection tries failed', 'SELECT 1', 'test'),
                );
              }
              return (v as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        }),
        writable: true,
        configurable: true,
      },
    }) as DuckDbStore;
    const heard: string[] = [];
    // every section computes its analyses (the clean audit's results are cached)
    process.env.RLAUDIT_NO_CACHE = '1';
    after(() => {
      delete process.env.RLAUDIT_NO_CACHE;
    });
    await assert.rejects(
      runAudit(broken, {
        ...base,
        fresh: true,
        onSection: (id, status) => {
          section = id;
          heard.push(`${status} ${id}`);
        },
      }),
      (err) => {
        assert.ok(err instanceof QueryError, String(err));
        assert.match(
          err.message,
          /^audit \d+ stopped: shard 2: All connection tries failed\. The sections completed/,
        );
        assert.match(err.message, /run the same audit again to resume/);
        return true;
      },
    );
    // no section after the failed one was started
    assert.deepEqual(heard.slice(-2), [`running ${ids[2]}`, `failed ${ids[2]}`]);
    const [stopped] = await store.audits.listAudits('plain', 1);
    assert.equal(stopped?.status, 'failed');
    assert.deepEqual(
      stopped?.sections.map((s) => s.status),
      ids.map((_, i) => (i < 2 ? 'complete' : i === 2 ? 'failed' : 'pending')),
    );
    section = '';
    delete process.env.RLAUDIT_NO_CACHE;
    const resumed = await runAudit(store, base);
    assert.deepEqual(resumed.resumed, ids.slice(0, 2));
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

  it('audits a run without events, annotations or classification, saying once, in one line each, what does not apply', async () => {
    const { report } = await runAudit(store, { run: 'plain', template: 'full', operations: false });
    assert.ok(
      report.sections.every((s) => s.status === 'complete'),
      JSON.stringify(report.sections.map((s) => [s.id, s.error])),
    );
    assert.deepEqual(
      report.notApplicable.map((n) => n.layer),
      ['classification', 'categories', 'events', 'annotations'],
    );
    for (const n of report.notApplicable) assert.match(n.reason, /^the run has no /);
    // no section repeats an absent layer in its own lines
    const missing = report.sections.flatMap((s) => s.missing);
    assert.ok(
      !missing.some((m) => /^(no calibration events|events: the run has no|no annotations in)/.test(m)),
    );
    assert.ok(!missing.some((m) => /^no (classification|adjusted reward)\b/.test(m)), missing.join('\n'));
    // a section with nothing to show is one line naming why, without tables, charts or findings
    for (const s of report.sections.filter((x) => x.notApplicable !== null)) {
      assert.match(s.notApplicable!.reason, /\S/);
      assert.deepEqual([s.tables, s.charts, s.findings, s.missing], [[], [], [], []]);
    }
    // no table keeps a column that is empty in every row, and no chart draws nothing
    for (const t of report.sections.flatMap((s) => s.tables)) {
      assert.ok(t.rows.length > 0, t.title);
      for (const [i, c] of t.columns.entries()) {
        assert.ok(
          t.rows.some((r) => r[i] !== null && r[i] !== ''),
          `${t.title}: column ${c} is empty`,
        );
      }
    }
  });

  it('colours the session index of a run without classification by reward, one row per step, and draws charts on a step axis', async () => {
    const { report } = await runAudit(store, {
      run: 'plain',
      template: 'full',
      windows: { by: 'step' },
      operations: false,
    });
    assert.equal(report.parameters.window.by, 'step');
    const index = report.sections[0]!.charts.find((c) => c.kind === 'session-index');
    assert.ok(index && index.kind === 'session-index');
    assert.equal(index.colour, 'reward');
    assert.equal(index.reward, 'adjusted_reward');
    assert.equal(index.rows, 'step');
    assert.match(index.caption, /coloured by its adjusted reward/);
    assert.ok(index.cells.every((c) => c.reward !== null && c.stepFrom === Math.floor(c.from / 8)));
    const rendered = await renderReportCharts(report);
    const svg = rendered.sections[0]!.charts[0]!.svg;
    assert.match(svg, />step 0</);
    assert.match(svg, />adjusted reward 0</);
    const lines = report.sections.flatMap((s) => s.charts).filter((c) => c.kind === 'vega-lite');
    assert.ok(lines.length > 0);
    for (const c of lines) assert.ok(!JSON.stringify(c.spec).includes('"title":"session"'), c.id);
    assert.ok(lines.some((c) => JSON.stringify(c.spec).includes('"title":"training step"')));
    // tables name windows in the same unit
    const reward = report.sections.flatMap((s) => s.tables).find((t) => /reward per window/.test(t.title));
    assert.ok(reward);
    assert.ok(
      reward.rows.every((r) => /^step \d+$/.test(String(r[0]))),
      String(reward.rows[0]?.[0]),
    );
  });

  it("plots the run's own per-step metrics in the overview and beside rlaudit's reward and diversity", async () => {
    const { report } = await runAudit(store, {
      run: 'stepped',
      windows: { by: 'step' },
      operations: false,
    });
    const overview = report.sections[0]!.charts.find((c) => c.id === 'overview-run-metrics');
    assert.ok(overview && overview.kind === 'vega-lite');
    const values = (overview.spec as unknown as { data: { values: { name: string; step: number }[] } }).data
      .values;
    assert.equal(values.length, 51 * 3, 'every logged value, at every step');
    assert.deepEqual([...new Set(values.map((v) => v.name))], ['eval_distinct_2', 'kl', 'train_reward']);
    const charts = report.sections.flatMap((s) => s.charts);
    const series = (id: string) => {
      const c = charts.find((x) => x.id.endsWith(id));
      assert.ok(c && c.kind === 'vega-lite', id);
      const layers = (
        c.spec as unknown as { layer: { data: { values: { series?: string; x?: number }[] } }[] }
      ).layer;
      return layers.flatMap((l) => l.data.values);
    };
    const reward = series('reward-convergence').filter((p) => p.series === 'run: train_reward');
    assert.equal(reward.length, 51);
    assert.deepEqual(
      reward.map((p) => p.x),
      Array.from({ length: 51 }, (_, i) => i),
    );
    assert.ok(!series('reward-convergence').some((p) => p.series === 'run: kl'), 'kl is not a reward');
    assert.equal(series('-diversity').filter((p) => p.series === 'run: eval_distinct_2').length, 51);
    const rendered = await renderReportCharts(report);
    assert.match(rendered.sections[0]!.charts[1]!.svg, /^<svg/);
  });

  it('says in steps where the last low reward was given when the windows are steps', async () => {
    const { report } = await runAudit(store, { run: 'stepped', windows: { by: 'step' }, operations: false });
    const f = report.sections
      .flatMap((s) => s.findings)
      .find((x) => x.numbers.last_low_session !== undefined);
    assert.ok(f);
    assert.equal(
      f.claim,
      'The last low reward (below 0.500) was given in step 12 (session 99); no session after it received one (308 sessions to the end of the run: 4 more in step 12, then 304 in the 38 sampled steps after it).',
    );
    assert.deepEqual([f.numbers.last_low_step, f.numbers.steps_after], [12, 38]);
  });

  it('lists a file ingested into the run that added nothing, with its duplicates', async () => {
    const { report } = await runAudit(store, { run: 'stepped', operations: false });
    const inputs = report.provenance.inputs.map((i) => [
      i.path.endsWith('metrics.jsonl') ? 'metrics.jsonl' : i.path,
      i.format,
      i.rows,
      i.read,
      i.accepted,
      i.duplicates,
    ]);
    assert.deepEqual(inputs, [
      ['stepped', 'records', 407, 407, 407, 0],
      ['metrics.jsonl', 'step-metrics', 153, 51, 51, 0],
      ['metrics.jsonl', 'step-metrics', 0, 51, 0, 51],
    ]);
  });

  it('colours the session index of a classified run by classification, in rows of sessions', async () => {
    const { report } = await runAudit(store, { run: 'wild-7', operations: false });
    const index = report.sections[0]!.charts.find((c) => c.kind === 'session-index');
    assert.ok(index && index.kind === 'session-index');
    assert.deepEqual([index.colour, index.rows], ['classification', 'session']);
    assert.deepEqual(report.notApplicable, []);
    assert.ok(report.sections.every((s) => s.notApplicable === null));
  });

  it('lists every file ingested into the run in provenance, with its format and counts', async () => {
    const { report } = await runAudit(store, { run: 'plain', operations: false });
    assert.equal(report.provenance.inputs.length, 1);
    const [input] = report.provenance.inputs;
    assert.equal(input!.path, 'plain');
    assert.equal(input!.rows, 400);
    assert.deepEqual([input!.read, input!.accepted, input!.rejected, input!.duplicates], [400, 400, 0, 0]);
    assert.ok(input!.ingestedAt !== null && !Number.isNaN(Date.parse(input!.ingestedAt)));
    assert.equal(typeof input!.format, 'string');
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
