import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditReport } from '../../src/audit/report-model.ts';
import { runAudit } from '../../src/audit/run-audit.ts';
import { renderReportCharts } from '../../src/report/render-charts.ts';
import { simulate } from '../../src/simulate/index.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import type { Store } from '../../src/store/store.ts';
import { runCli, spawnCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

// An audit interrupted at every section boundary, and inside sections, then run again, gives the report a
// clean audit gives (apart from timing fields); so does one killed with SIGKILL through the command line.
// The fixture is the existing resume test's: WILD-7, seed 7, 6,000 sessions, the `full` template.

const dir = tempDir();

/** Keys whose values are times or durations: they differ between any two audits. */
const TIMING = new Set(['generatedAt', 'durationMs', 'operations']);

function withoutTiming(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTiming);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !TIMING.has(k))
      .map(([k, v]) => [k, withoutTiming(v)]),
  );
}

async function comparable(audit: AuditReport): Promise<unknown> {
  return withoutTiming(await renderReportCharts(audit));
}

class Interrupted extends Error {}

/**
 * The store, whose scans throw `Interrupted` at the `at`-th call (1-based): an abort inside a section.
 * `onCall` hears every call (to count them).
 */
function failingAt(store: Store, at: number, onCall: () => void = () => undefined): Store {
  let calls = 0;
  const scans = new Proxy(store.scans, {
    get(target, p, receiver) {
      const v = Reflect.get(target, p, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        onCall();
        if (++calls === at) throw new Interrupted(`interrupted at scan call ${at} (${String(p)})`);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return Object.create(store, { scans: { value: scans, writable: true, configurable: true } }) as Store;
}

describe('an audit killed and resumed', () => {
  let store: DuckDbStore;
  let clean: unknown;
  let sections: string[];
  const base = { run: 'wild-7', template: 'full', operations: false } as const;

  before(async () => {
    store = await DuckDbStore.open(join(dir, 'kill.duckdb'));
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7, sessions: 6000 }), {
      name: 'simulate:wild-7',
    });
    const first = await runAudit(store, { ...base, fresh: true });
    clean = await comparable(first.report);
    sections = first.report.sections.map((s) => s.id);
  });
  after(async () => {
    await store.close();
  });

  it('equals the clean report when stopped at every section boundary', async () => {
    // stopped as each section starts: the ones before it are complete in the store, it and the rest are not
    // (the boundary after the last section is covered by the abort at the audit's last scan call, below)
    for (const id of sections) {
      for (const at of ['running'] as const) {
        await assert.rejects(
          runAudit(store, {
            ...base,
            fresh: true,
            onSection: (s, status) => {
              if (s === id && status === at) throw new Interrupted(`${at} ${s}`);
            },
          }),
          Interrupted,
        );
        const resumed = await runAudit(store, base);
        const before = sections.slice(0, sections.indexOf(id));
        assert.deepEqual(resumed.resumed, before, `resumed after the sections before ${id}`);
        assert.deepEqual(await comparable(resumed.report), clean, `stopped at ${at} ${id}`);
      }
    }
  });

  it('equals the clean report when aborted inside sections, at scan calls spread over the audit', async () => {
    let calls = 0;
    const counted = failingAt(store, Number.POSITIVE_INFINITY, () => {
      calls++;
    });
    await runAudit(counted, { ...base, fresh: true });
    assert.ok(calls >= 4, `the audit made ${calls} scan calls`);
    for (const at of [2, Math.ceil(calls / 3), Math.ceil((2 * calls) / 3), calls]) {
      await assert.rejects(runAudit(failingAt(store, at), { ...base, fresh: true }), Interrupted);
      const resumed = await runAudit(store, base);
      assert.deepEqual(await comparable(resumed.report), clean, `aborted at scan call ${at} of ${calls}`);
    }
  });

  it('writes the same report.json as a clean audit after a SIGKILL through the command line', async () => {
    await store.close();
    try {
      const db = join(dir, 'kill.duckdb');
      const out = join(dir, 'killed');
      const child = spawnCli(
        ['--db', db, 'audit', '--run', 'wild-7', '--template', 'full', '--out', out, '--no-pdf'],
        {
          RLAUDIT_TRACE: 'sections',
        },
      );
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          if (/running\s+outcome-correlation/.test(d.toString()) && !child.killed) child.kill('SIGKILL');
        });
        child.on('exit', () => resolve());
      });
      assert.equal(child.signalCode, 'SIGKILL', 'killed while auditing');
      const again = runCli([
        '--db',
        db,
        'audit',
        '--run',
        'wild-7',
        '--template',
        'full',
        '--out',
        out,
        '--no-pdf',
      ]);
      assert.equal(again.code, 0, again.stderr);
      const written = withoutTiming(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')));
      assert.deepEqual(written, JSON.parse(JSON.stringify(clean)));
    } finally {
      store = await DuckDbStore.open(join(dir, 'kill.duckdb'));
    }
  });
});
