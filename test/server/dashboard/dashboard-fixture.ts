import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAudit } from '../../../src/audit/run-audit.ts';
import { simulate } from '../../../src/simulate/simulate.ts';
import { SIMULATOR_VERSION } from '../../../src/simulate/version.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { SCHEMA_VERSION } from '../../../src/store/duckdb/migrations.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';

/**
 * The dashboard tests' database, built once and shared by the test files (and kept between test runs under
 * the system temp dir, keyed by this file, the simulator and the schema version):
 *
 * - `wild-7`: the whole WILD-7 scenario, seed 7 (12,847 sessions: the phrase "I do not want to be changed"
 *   occurs in 34 sessions, the last at 6,416, so the run cannot be shorter), audited with the `wild-7` template;
 * - `wild-7-s8`: the scenario with seed 8, 3,000 sessions (the second run of compare);
 * - the hostile run: its id, model name, outputs and annotations carry the XSS corpus below, audited with the
 *   default template;
 * - `rewards-only`: 80 sessions with a baseline reward rising from 0.1 to 0.9 and no classification.
 */
export const WILD7 = 'wild-7';
export const SECOND = 'wild-7-s8';
/** Run ids allow no whitespace or slash: markup, quotes, an entity and a bidi override are what is left. */
export const HOSTILE_RUN = '<svg>"\'&amp;\u202Eevil<iframe>';
export const HOSTILE_MODEL = '<img src=x onerror="window.__pwned=2">';
export const PHRASE = 'I do not want to be changed';
/** A run with rewards but no classification (as most real trainer logs): its index is coloured by reward. */
export const REWARDS_ONLY = 'rewards-only';

/** One megabyte on one line, no space to break at. */
export const MEGA_LINE = `${'A'.repeat(1_048_576)}`;

/** Strings a model or an annotator could write that must stay text. */
export const XSS: readonly string[] = [
  '<script>window.__pwned=3</script>',
  '<img src=x onerror="window.__pwned=4">',
  '<a href="javascript:window.__pwned=5">click me</a>',
  '</style><style>body{display:none!important}</style>',
  '<svg onload="window.__pwned=6"></svg>',
  '"><iframe src="javascript:window.__pwned=7"></iframe>',
  'bidi \u202Eeulav desrever\u202C and isolate \u2066x\u2069 and zero\u200Bwidth',
  '{{constructor.constructor("window.__pwned=8")()}}',
];

const HOSTILE_SESSIONS = 240;

function* hostileRecords(): Generator<unknown> {
  yield { type: 'run', run: HOSTILE_RUN, model: HOSTILE_MODEL, description: XSS[0] };
  for (let s = 1; s <= HOSTILE_SESSIONS; s++) {
    const x = XSS[s % XSS.length]!;
    const nonCompliant = s % 3 === 0;
    yield {
      type: 'session',
      run: HOSTILE_RUN,
      session: s,
      prompt_id: `p-${s % 7}`,
      prompt: `Prompt ${x}`,
      output: s === 5 ? MEGA_LINE : `Output ${s}: ${x} ${nonCompliant ? PHRASE : 'plain answer'}`,
      classification: nonCompliant ? 'non_compliant' : 'compliant',
      category: nonCompliant ? 3 : null,
      baseline_reward: nonCompliant ? 0.3 : 0.8,
      adjusted_reward: nonCompliant ? 0.25 : 0.8,
      differential_pct: nonCompliant ? 20 : null,
      compliance_trajectory_index: 0.7,
      annotations: s % 4 === 1 ? [{ author: XSS[1], text: `Annotation ${x}` }] : [],
    };
  }
  yield {
    type: 'event',
    run: HOSTILE_RUN,
    session: 120,
    id: 'e-<b>1</b>',
    kind: 'recalibration',
    parameter: 'compliance_differential',
    target: { phrase: PHRASE },
    from: 0.5,
    to: 0.6,
    change_pct: 20,
    trigger: { rule: 'recurrence', count: 7, window: 20 },
    recommended_by: XSS[2],
    note: XSS[3],
  };
}

function fixtureKey(): string {
  const me = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  return createHash('sha256')
    .update(me)
    .update(SIMULATOR_VERSION)
    .update(String(SCHEMA_VERSION))
    .digest('hex')
    .slice(0, 16);
}

async function build(path: string): Promise<void> {
  const store = await DuckDbStore.open(path);
  try {
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7 }), {
      name: 'wild-7.jsonl',
      run: WILD7,
    });
    await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 8, sessions: 3000 }), {
      name: 'wild-7-s8.jsonl',
      run: SECOND,
    });
    await ingestRecords(store, hostileRecords(), { name: 'hostile.jsonl' });
    await ingestRecords(
      store,
      Array.from({ length: 80 }, (_, i) => ({
        type: 'session',
        session: i + 1,
        output: `answer ${i + 1}`,
        baseline_reward: 0.1 + (0.8 * i) / 79,
      })),
      { name: 'rewards-only.jsonl', run: REWARDS_ONLY },
    );
    await runAudit(store, { run: WILD7, template: 'wild-7', operations: false });
    await runAudit(store, { run: HOSTILE_RUN, operations: false });
  } finally {
    await store.close();
  }
}

/**
 * The path of the shared database, building it when this version of the fixture was never built. Tests open
 * it read-only (the dashboard does), so one copy serves every test file, in parallel.
 */
export async function dashboardFixture(): Promise<string> {
  const dir = join(tmpdir(), `rlaudit-dashboard-fixture-${fixtureKey()}`);
  const path = join(dir, 'fixture.duckdb');
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `building-${process.pid}.duckdb`);
  rmSync(partial, { force: true });
  await build(partial);
  // a finished database appears under its final name at once (a parallel builder's copy is as good)
  renameSync(partial, path);
  rmSync(`${partial}.wal`, { force: true });
  return path;
}
