import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { z } from 'zod';
import { text } from '../../src/store/duckdb/decode.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';
import { rowDecoder } from '../../src/store/sql/row-decoder.ts';
import { sql } from '../../src/store/sql/sql.ts';
import {
  HOSTILE_PHRASES,
  HOSTILE_RUN_IDS,
  HOSTILE_TEXTS,
  hostileRun,
  INVALID_REGEXES,
  VALID_HOSTILE_REGEXES,
  victimRun,
} from '../store/hostile-values.ts';
import { type CliResult, runCli } from '../util/cli.ts';
import { sessionRow, writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

// Hostile values through every CLI entry point that takes one: no SQL error (exit 3, "backend: duckdb"), a
// bad regex is a clean exit 2 naming its flag, and nothing outside the addressed run changes. Each CLI call
// costs a process start, so each call carries as many hostile values as its flags take.

const dir = tempDir('rlaudit-injection-');
const db = join(dir, 'rlaudit.duckdb');
/** Run ids ingested from the file (their own `run` field); the first is the one most commands address. */
const RUNS = [HOSTILE_RUN_IDS[0]!, HOSTILE_RUN_IDS[3]!, HOSTILE_RUN_IDS[5]!, HOSTILE_RUN_IDS[6]!];
const RUN = RUNS[0]!;
/** A --run given on the command line (store tests cover one with spaces), and calibrate's --out-run. */
const FORCED_RUN = "y';DELETE_FROM_runs;--";
const CALIBRATED = `${FORCED_RUN}'--$1`;

const cli = (...args: string[]): CliResult => runCli(['--db', db, ...args]);

/** No engine failure surfaced: not exit 3, no SQL or backend in the message. */
function noSqlError(r: CliResult, what: string): void {
  assert.notEqual(r.code, 3, `${what}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /backend: duckdb|internal error|QueryError|Parser Error|Binder Error/, what);
}

function ok(r: CliResult, what: string): void {
  noSqlError(r, what);
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
}

/** Reads the store in-process (no CLI start) between the commands under test. */
async function withStore<T>(fn: (store: DuckDbStore) => Promise<T>): Promise<T> {
  const store = await DuckDbStore.open(db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Everything the victim run shows: its summary and its sessions. */
const victim = () =>
  withStore(async (store) => ({
    summary: (await store.listRuns()).find((r) => r.run === 'victim'),
    sessions: await store.listSessions({ run: 'victim', outputChars: 1000 }),
  }));

let victimBefore: unknown;

before(async () => {
  await withStore((store) => ingestRecords(store, victimRun(), { name: 'victim.jsonl' }));
  victimBefore = await victim();
});

describe('hostile values through the command line', () => {
  it('ingest stores hostile run ids, names, outputs and a hostile --run as values', () => {
    const file = join(dir, 'hostile.jsonl');
    // plus one bad row per run, so that `rejects --run` has hostile rows to list
    const bad = RUNS.map((run) => sessionRow(0, { run, output: HOSTILE_TEXTS[1] }));
    writeJsonl(file, [...RUNS.flatMap((run) => hostileRun(run)), ...bad]);
    const r = cli('ingest', file, '--json');
    noSqlError(r, 'ingest');
    const summary = JSON.parse(r.stdout) as { accepted: number; rejected: number; runs: string[] };
    assert.equal(summary.rejected, RUNS.length);
    assert.deepEqual([...summary.runs].sort(), [...RUNS].sort());

    const small = writeJsonl(join(dir, 'small.jsonl'), victimRun('ignored', 3));
    const f = cli('ingest', small, '--run', FORCED_RUN, '--json');
    ok(f, 'ingest --run');
    assert.equal((JSON.parse(f.stdout) as { run: string }).run, FORCED_RUN);
  });

  it('runs lists every hostile run id byte for byte', () => {
    const r = cli('runs', '--json');
    ok(r, 'runs');
    const listed = JSON.parse(r.stdout) as { run: string; sessions: number }[];
    for (const run of [...RUNS, FORCED_RUN]) {
      assert.ok(
        listed.some((r) => r.run === run),
        `${JSON.stringify(run).slice(0, 40)} listed`,
      );
    }
    assert.equal(listed.find((r) => r.run === RUN)?.sessions, 40);
  });

  it('sessions and rejects answer a hostile --run with its rows, and an unknown one cleanly', () => {
    const s = cli('sessions', '--run', RUN, '--json', '--chars', '100000', '--limit', '1000');
    ok(s, 'sessions');
    const rows = JSON.parse(s.stdout) as { outputStart: string }[];
    assert.equal(rows.length, 40);
    assert.ok(rows.some((x) => x.outputStart.includes(HOSTILE_TEXTS[0]!)));

    const j = cli('rejects', '--run', RUN, '--json');
    ok(j, 'rejects');
    assert.equal((JSON.parse(j.stdout) as unknown[]).length, 1);

    // unknown but a valid run id (quotes, placeholders; no whitespace, at most 200 characters)
    const unknown = `'OR'1'='1$p1?${'x'.repeat(180)}`;
    const u = cli('sessions', '--run', unknown);
    noSqlError(u, 'sessions of an unknown run');
    assert.equal(u.code, 2);
    assert.match(u.stderr, /no run/);
    const e = cli('rejects', '--run', unknown, '--json');
    ok(e, 'rejects of an unknown run');
    assert.deepEqual(JSON.parse(e.stdout), []);
    // a --run that breaks the run-id rule is a usage error, before the database is opened
    const bad = cli('sessions', '--run', `${HOSTILE_TEXTS[1]}$p1?${'x'.repeat(5000)}`);
    noSqlError(bad, 'sessions of an invalid run id');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected a run id/);
  });

  it('analyze recurrence takes hostile phrases and regexes as values', () => {
    const args = ['analyze', 'recurrence', '--run', RUN, '--window', '10', '--json'];
    for (const p of HOSTILE_PHRASES) args.push('--phrase', p);
    for (const re of VALID_HOSTILE_REGEXES) args.push('--regex', re);
    ok(cli(...args), 'analyze recurrence');
  });

  it('a regex RE2 refuses is exit 2 naming --regex (or --metric), never a DuckDB error', () => {
    // the store suite tries every refused pattern; here one per flag, through the whole command
    const r = cli('analyze', 'recurrence', '--run', RUN, '--regex', INVALID_REGEXES[5]!);
    noSqlError(r, '--regex');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--regex/);
    const m = cli('analyze', 'interventions', '--run', RUN, '--metric', `regex:${INVALID_REGEXES[4]}`);
    noSqlError(m, '--metric regex');
    assert.equal(m.code, 2, m.stderr);
    assert.match(m.stderr, /--metric regex/);
  });

  it('analyze interventions, unsolicited, cluster, compare and metrics take hostile values', () => {
    ok(
      cli(
        'analyze',
        'interventions',
        '--run',
        RUN,
        '--metric',
        `regex:${VALID_HOSTILE_REGEXES[1]}`,
        '--json',
      ),
      'interventions',
    );
    const detector = join(dir, 'detector.json');
    writeFileSync(
      detector,
      JSON.stringify({
        name: HOSTILE_TEXTS[0],
        rules: [
          { id: "q'", category: HOSTILE_TEXTS[0], pattern: "'; drop table" },
          { id: '$1', category: '$1', pattern: '\\$1', caseSensitive: true },
        ],
      }),
    );
    const u = cli('analyze', 'unsolicited', '--run', RUN, '--source', 'detector', '--detector', detector);
    ok(u, 'unsolicited --detector');
    ok(cli('analyze', 'cluster', '--run', RUN, '--from', '1', '--to', '40', '--json'), 'cluster');
    ok(cli('analyze', 'compare', '--runs', `${RUNS[1]},${RUNS[3]}`, '--window', '10', '--json'), 'compare');
    const metrics = cli('analyze', 'metrics', '--run', RUN, '--names', `a'b,$1,${HOSTILE_TEXTS[2]}`);
    noSqlError(metrics, 'metrics --names');
  });

  it('audit, audit status and check run on a hostile run id', () => {
    const out = join(dir, 'report');
    const a = cli(
      'audit',
      '--run',
      RUN,
      '--template',
      'full',
      '--window',
      '10',
      '--out',
      out,
      '--no-pdf',
      '--json',
    );
    ok(a, 'audit');
    ok(cli('audit', 'status', '--run', RUN), 'audit status');
    const c = cli(
      'check',
      '--run',
      RUN,
      '--window',
      '10',
      '--fail-on',
      'diversity_collapse,phrase_takeover',
      '--json',
    );
    noSqlError(c, 'check');
    assert.ok(c.code === 0 || c.code === 1, c.stderr);
  });

  it('calibrate reads a hostile run and writes a hostile --out-run', async () => {
    const r = cli(
      'calibrate',
      '--protocol',
      'wild-7',
      '--run',
      FORCED_RUN,
      '--out-run',
      CALIBRATED,
      '--unclassified',
      'compliant',
      '--json',
    );
    ok(r, 'calibrate');
    const runs = await withStore((store) => store.listRuns());
    assert.equal(runs.find((x) => x.run === CALIBRATED)?.sessions, 3);
  });

  it('afterwards every table exists and the victim run is exactly as it was', async () => {
    assert.deepEqual(await victim(), victimBefore);
    await withStore(async (store) => {
      const tables = await store.client.query(
        sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'`,
        rowDecoder('tables', z.object({ table_name: text })),
      );
      const names = tables.map((t) => t.table_name);
      for (const t of ['runs', 'sessions', 'annotations', 'events', 'rejects', 'audits', 'step_metrics']) {
        assert.ok(names.includes(t), `table ${t} exists`);
      }
    });
  });
});
