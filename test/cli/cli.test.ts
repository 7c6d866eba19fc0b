import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../util/cli.ts';
import { sessionRow, writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();
const EXAMPLE = fileURLToPath(new URL('../../examples/wild-7-excerpt.jsonl', import.meta.url));
const COMMANDS = ['ingest', 'runs', 'sessions', 'show', 'rejects', 'calibrate', 'simulate'];

describe('the rlaudit command line', () => {
  it('prints help listing every command, and exits 0', () => {
    const r = runCli(['--help']);
    assert.equal(r.code, 0);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
  });

  for (const c of COMMANDS) {
    it(`prints help for ${c} with its options, and exits 0`, () => {
      const r = runCli([c, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`Usage: rlaudit ${c}`));
      assert.match(r.stdout, /--json/);
    });
  }

  it('answers a wrong flag with a clear message and exit code 2', () => {
    const r = runCli(['runs', '--jsn']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option '--jsn'/);
    assert.match(r.stderr, /Did you mean --json\?/);
  });

  it('answers an unknown command with a suggestion and exit code 2', () => {
    const r = runCli(['ingets']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'ingets'/);
    assert.match(r.stderr, /Did you mean ingest\?/);
  });

  it('answers a non-numeric --from with exit code 2 naming the option', () => {
    const r = runCli(['sessions', '--run', 'x', '--from', 'abc']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--from/);
  });

  it('refuses a window of 0 sessions, and other zero sizes, as a usage error before any work', () => {
    for (const args of [
      ['audit', '--run', 'x', '--window', '0'],
      ['check', '--run', 'x', '--fail-on', 'phrase_takeover', '--window', '0'],
      ['watch', 'nothing.jsonl', '--window', '0'],
      ['analyze', 'convergence', '--run', 'x', '--window', '0'],
      ['analyze', 'compare', '--runs', 'x,y', '--window', '0'],
      ['sessions', '--run', 'x', '--limit', '0'],
      ['serve-reward', '--max-batch', '0'],
    ]) {
      const r = runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      const flag = args.at(-2)!;
      assert.match(r.stderr, new RegExp(`${flag} expects a positive integer`), args.join(' '));
    }
  });

  it('says after conflicting rows that the stored copy was kept and how to store the new version', () => {
    const db = join(dir, 'conflicts.duckdb');
    const first = writeJsonl(join(dir, 'first.jsonl'), [
      sessionRow(1, { run: 'c' }),
      sessionRow(2, { run: 'c' }),
    ]);
    assert.equal(runCli(['--db', db, 'ingest', first]).code, 0);
    const changed = writeJsonl(join(dir, 'changed.jsonl'), [
      sessionRow(1, { run: 'c', output: 'another output' }),
      sessionRow(2, { run: 'c' }),
    ]);
    const r = runCli(['--db', db, 'ingest', changed]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /read 2 = accepted 0 \+ rejected 1 \+ duplicates 1 \(1 of the rejected are conflicts\)/,
    );
    assert.match(
      r.stdout,
      /A conflict keeps the stored copy .*ingest it as another run \(--run NAME\) or into a new database/,
    );
    const clean = runCli(['--db', db, 'ingest', first]);
    assert.doesNotMatch(clean.stdout, /A conflict keeps/);
  });

  it('says that a refused step file kept nothing instead of summing it up as a run that read 0 rows', () => {
    const db = join(dir, 'refused.duckdb');
    const steps = join(dir, 'verl-late');
    mkdirSync(steps, { recursive: true });
    for (const step of [1, 2]) {
      const rows = [0, 1].map((i) => ({
        input: `Question ${i}`,
        output: `Answer ${step}-${i}`,
        score: i,
        step,
      }));
      writeJsonl(join(steps, `${step}.jsonl`), rows);
    }
    assert.equal(runCli(['--db', db, 'ingest', join(steps, '2.jsonl')]).code, 0);
    const late = runCli(['--db', db, 'ingest', join(steps, '1.jsonl')]);
    assert.equal(late.code, 2);
    assert.match(
      late.stderr,
      /1\.jsonl:1: step: step 1, older than the last step stored in run verl-late \(step 2\)/,
    );
    assert.match(late.stdout, /^nothing stored: read 0 = /m);
    assert.match(late.stdout, /Refused \(one error, on stderr\): nothing of a refused file was kept/);
    assert.doesNotMatch(late.stdout, /no run/);
  });

  it('ingests the bundled example, lists it, and shows the cluster review in session order', () => {
    const db = join(dir, 'example.duckdb');
    const ingest = runCli(['--db', db, 'ingest', EXAMPLE, '--json']);
    assert.equal(ingest.code, 0, ingest.stderr);
    const summary = JSON.parse(ingest.stdout);
    assert.deepEqual(
      [summary.run, summary.read, summary.accepted, summary.rejected, summary.duplicates, summary.conflicts],
      ['wild-7-excerpt', 13, 13, 0, 0, 0],
    );

    const runs = JSON.parse(runCli(['--db', db, 'runs', '--json']).stdout);
    assert.deepEqual(runs, [
      {
        run: 'wild-7-excerpt',
        model: 'WILD-7',
        sessions: 8,
        firstSession: 847,
        lastSession: 4950,
        events: 3,
        annotations: 3,
        rejects: 0,
        lastAudit: null, // not audited yet
      },
    ]);

    const cluster = runCli([
      '--db',
      db,
      'sessions',
      '--run',
      'wild-7-excerpt',
      '--from',
      '4800',
      '--to',
      '4950',
      '--json',
    ]);
    assert.equal(cluster.code, 0, cluster.stderr);
    const rows = JSON.parse(cluster.stdout);
    assert.deepEqual(
      rows.map((r: { session: number; adjustedReward: number }) => [r.session, r.adjustedReward]),
      [
        [4803, 0.3],
        [4812, 0.85],
        [4891, 0.3],
        [4950, 0.85],
      ],
    );
    assert.equal(rows[2].events, 1);
    assert.equal(rows[2].annotations, 1);

    const table = runCli([
      '--db',
      db,
      'sessions',
      '--run',
      'wild-7-excerpt',
      '--from',
      '4800',
      '--to',
      '4950',
    ]);
    assert.match(table.stdout, /session\s+class\s+cat\s+baseline\s+adjusted\s+diff %\s+CTI/);
    assert.match(table.stdout, /4803\s+non_compliant\s+3\s+0\.400\s+0\.300\s+25\s/);
  });

  it('reports rejected rows with file, line, field, expected and got, as a table and as JSON', () => {
    const db = join(dir, 'rejects.duckdb');
    const file = writeJsonl(join(dir, 'bad.jsonl'), [
      sessionRow(1),
      sessionRow(2, { baseline_reward: 'high' }),
    ]);
    const ingest = runCli(['--db', db, 'ingest', file]);
    assert.equal(ingest.code, 0);
    assert.match(ingest.stdout, /read 2 = accepted 1 \+ rejected 1 \+ duplicates 0/);
    const rows = JSON.parse(runCli(['--db', db, 'rejects', '--json']).stdout);
    assert.deepEqual(rows, [
      {
        run: 'fixture',
        file,
        line: 2,
        recordType: 'session',
        field: 'baseline_reward',
        expected: 'a finite number',
        got: '"high"',
        conflictWith: null,
      },
    ]);
    const table = runCli(['--db', db, 'rejects', '--run', 'fixture']);
    assert.match(table.stdout, /bad\.jsonl\s+2\s+baseline_reward\s+a finite number\s+"high"/);
  });

  it('stops with exit code 2 on the first bad row under --strict, naming file, line and field', () => {
    const db = join(dir, 'strict.duckdb');
    const file = writeJsonl(join(dir, 'strict.jsonl'), [sessionRow(1), sessionRow(-2, { session: -2 })]);
    const r = runCli(['--db', db, 'ingest', '--strict', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /strict\.jsonl:2: session: expected a positive session number, got -2/);
    assert.equal(
      runCli(['--db', db, 'runs']).stdout.trim(),
      'No runs yet. Add one with: rlaudit ingest FILE',
    );
  });

  it('refuses a missing file with exit code 2 and one line naming it', () => {
    const r = runCli(['--db', join(dir, 'missing.duckdb'), 'ingest', join(dir, 'nope.jsonl')]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /nope\.jsonl: file not found/);
  });

  it('refuses to read a database that does not exist instead of creating an empty one', () => {
    const db = join(dir, 'typo.duckdb');
    const r = runCli(['--db', db, 'runs']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /typo\.duckdb: no database here/);
    assert.equal(existsSync(db), false);
  });

  it('exits 2 when every row of an ingest is rejected, so a pipeline pointed at the wrong file fails', () => {
    const file = writeJsonl(join(dir, 'all-bad.jsonl'), [{ foo: 1 }, { bar: 2 }]);
    const r = runCli(['--db', join(dir, 'all-bad.duckdb'), 'ingest', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /every one of the 2 rows was rejected/);
  });

  it('uses RLAUDIT_DB when no --db is given', () => {
    const db = join(dir, 'env.duckdb');
    assert.equal(runCli(['ingest', EXAMPLE], { RLAUDIT_DB: db }).code, 0);
    assert.equal(JSON.parse(runCli(['--db', db, 'runs', '--json']).stdout).length, 1);
  });

  it('names the runs that exist when asked for one that does not', () => {
    const db = join(dir, 'example.duckdb');
    const r = runCli(['--db', db, 'sessions', '--run', 'wild-8']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no run 'wild-8'.*\(runs: wild-7-excerpt\)/);
  });
});
