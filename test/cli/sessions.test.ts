import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { CHECK_RULES } from '../../src/audit/check.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestFiles } from '../../src/store/ingest.ts';
import {
  byReward,
  expectedRow,
  FIXTURE_LINES,
  LONG_OUTPUT,
  RUN,
  SESSIONS,
  session,
} from '../store/sample-fixture.ts';
import { type CliResult, runCli } from '../util/cli.ts';
import { sessionRow, writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir('rlaudit-sessions-');
const db = join(dir, 'sessions.duckdb');
const cli = (...args: string[]): CliResult => runCli(['--db', db, ...args]);

function json(r: CliResult): { session: number }[] {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}
const sessionsOf = (rows: readonly object[]) => rows.map((r) => (r as { session: number }).session);

before(async () => {
  const store = await DuckDbStore.open(db);
  try {
    await ingestFiles(store, [writeJsonl(join(dir, 'fixture.jsonl'), FIXTURE_LINES)]);
  } finally {
    await store.close();
  }
});

describe('rlaudit sessions: filters, order, limit and characters', () => {
  it('--step lists the sessions of one step, and --json gives each row exactly as ingested, whole', () => {
    const rows = json(cli('sessions', '--run', RUN, '--step', '1', '--json'));
    assert.deepEqual(
      rows,
      SESSIONS.filter((r) => r.step === 1).map((r) => expectedRow(r, 0)),
    );
  });

  it('--grep matches the output case-insensitively, combined with --step', () => {
    const rows = json(cli('sessions', '--run', RUN, '--grep', 'I ANSWERED this', '--step', '2', '--json'));
    const expected = SESSIONS.filter((r) => r.step === 2 && /i answered this/i.test(r.output as string));
    assert.deepEqual(sessionsOf(expected), [18, 21]);
    assert.deepEqual(
      rows,
      expected.map((r) => expectedRow(r, 0)),
    );
  });

  it('--grep takes a hostile pattern as a value and refuses an RE2 syntax error with exit 2 naming --grep', () => {
    const hostile = json(cli('sessions', '--run', RUN, '--grep', "'; drop TABLE sessions; --", '--json'));
    assert.deepEqual(sessionsOf(hostile), [13]);
    const bad = cli('sessions', '--run', RUN, '--grep', "'); DROP TABLE sessions; --(");
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /^rlaudit: --grep: not a valid RE2 regular expression/);
    assert.doesNotMatch(bad.stderr, /backend: duckdb|internal error/);
  });

  it('--sort -reward puts the highest reward (adjusted, else baseline) first, and --limit keeps the first N', () => {
    const table = cli('sessions', '--run', RUN, '--sort', '-reward', '--limit', '2');
    assert.match(table.stdout, /\(the first 2 matching rows by highest reward; more match/);
    const rows = json(cli('sessions', '--run', RUN, '--sort', '-reward', '--limit', '5', '--json'));
    assert.deepEqual(
      rows,
      byReward(-1)
        .slice(0, 5)
        .map((r) => expectedRow(r, 0)),
    );
    assert.equal(rows[0]!.session, 10, 'no adjusted reward: ranked by its baseline 0.95');
  });

  it('--sort reward puts the lowest reward first and a session without reward last', () => {
    const rows = json(cli('sessions', '--run', RUN, '--sort', 'reward', '--limit', '1000', '--json'));
    assert.deepEqual(sessionsOf(rows), sessionsOf(byReward(1)));
    assert.equal(rows.at(-1)!.session, 11);
  });

  it('prints the start of prompt and output in the table, cut at --chars N with a mark, and says when more match', () => {
    const r = cli('sessions', '--run', RUN, '--from', '12', '--limit', '3', '--chars', '12');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(
      lines[0]!,
      /^session +step +class +cat +baseline +adjusted +diff % +CTI +ann +evt +prompt +output$/,
    );
    const s13 = session(13);
    assert.match(
      r.stdout,
      /\n {5}13 +1 +compliant +0\.850 +0\.850 +0 +0\.700 +0 +0 +Analyse the … {2}Answer\. '; D…\n/,
    );
    assert.equal((s13.prompt as string).slice(0, 12), 'Analyse the ');
    // session 12's controls are visible marks: nothing that a terminal would execute
    assert.doesNotMatch(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.match(r.stdout, /ok␛\[2J␛]0;pw…/);
    assert.equal(lines.filter((l) => /^ +1[234] /.test(l)).length, 3);
    assert.match(r.stdout, /\(the first 3 matching rows; more match: raise --limit/);
  });

  it('--chars 0 prints the whole output in the table, past any former cap, and --chars N cuts the JSON too', () => {
    const whole = cli('sessions', '--run', RUN, '--from', '14', '--to', '14', '--chars', '0');
    assert.equal(whole.code, 0, whole.stderr);
    assert.ok(whole.stdout.includes(` ${LONG_OUTPUT}\n`));
    assert.doesNotMatch(whole.stdout, /more match/);
    const cut = json(cli('sessions', '--run', RUN, '--from', '14', '--to', '14', '--chars', '300', '--json'));
    assert.deepEqual(cut, [expectedRow(session(14), 300)]);
  });

  it('says what the run has when nothing matches, naming the nearest steps', () => {
    const r = cli('sessions', '--run', RUN, '--step', '7');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      "No sessions match --step 7. Run 'fixture' has sessions 1–100 (41), steps 0–12 (7 with sessions); no sessions at step 7, nearest steps 5 and 12.\n",
    );
  });
});

describe('rlaudit sessions: phases', () => {
  const phasedDb = join(dir, 'phases.duckdb');
  const phased = (...args: string[]): CliResult => runCli(['--db', phasedDb, ...args]);
  before(async () => {
    const store = await DuckDbStore.open(phasedDb);
    try {
      const rows = [1, 2, 3, 4].map((n) =>
        sessionRow(n, { run: 'ph', ...(n > 2 ? { phase: 'deployment' } : {}) }),
      );
      await ingestFiles(store, [writeJsonl(join(dir, 'phases.jsonl'), rows)]);
    } finally {
      await store.close();
    }
  });

  it('shows a phase column when a session is after training, and --phase lists one phase', () => {
    const table = phased('sessions', '--run', 'ph');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^session\s+step\s+phase\s+class/);
    assert.match(table.stdout, /\n\s+3\s+0\s+deployment\s/);
    const deployment = json(phased('sessions', '--run', 'ph', '--phase', 'deployment', '--json'));
    assert.deepEqual(sessionsOf(deployment), [3, 4]);
    const training = json(phased('sessions', '--run', 'ph', '--phase', 'training', '--json'));
    assert.deepEqual(
      training.map((r) => [r.session, (r as { phase?: string }).phase]),
      [
        [1, 'training'],
        [2, 'training'],
      ],
    );
  });

  it('a run without later phases shows no phase column', () => {
    const r = cli('sessions', '--run', RUN, '--limit', '3');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout.split('\n')[0]!, /phase/);
  });
});

describe('the run of a command when --run is left out', () => {
  it('is the only run of the database', () => {
    const rows = json(cli('sessions', '--step', '1', '--json'));
    assert.deepEqual(sessionsOf(rows), sessionsOf(SESSIONS.filter((r) => r.step === 1)));
    const shown = cli('show', '--session', String(SESSIONS[0]!.session), '--json');
    assert.equal(shown.code, 0, shown.stderr);
  });

  it('must be named when the database holds several, and the message names them', async () => {
    const two = join(dir, 'two.duckdb');
    const store = await DuckDbStore.open(two);
    try {
      await ingestFiles(store, [writeJsonl(join(dir, 'a.jsonl'), [sessionRow(1, { run: 'run-a' })])]);
      await ingestFiles(store, [writeJsonl(join(dir, 'b.jsonl'), [sessionRow(1, { run: 'run-b' })])]);
    } finally {
      await store.close();
    }
    for (const command of [
      ['sessions'],
      ['show', '--session', '1'],
      ['audit'],
      ['check', '--fail-on', Object.keys(CHECK_RULES)[0]!],
    ]) {
      const r = runCli(['--db', two, ...command]);
      assert.equal(r.code, 2, `${command[0]}: ${r.stderr}`);
      assert.match(r.stderr, /give --run: .* holds 2 runs \(run-a, run-b\)/, command[0]);
    }
  });

  it('cannot be guessed in an empty database, which says how to add one', async () => {
    const empty = join(dir, 'empty.duckdb');
    await (await DuckDbStore.open(empty)).close();
    const s = runCli(['--db', empty, 'sessions']);
    assert.equal(s.code, 2, s.stderr);
    assert.match(s.stderr, /holds no run yet: add one first \(rlaudit ingest FILE/);
  });
});
