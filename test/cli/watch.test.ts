import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, spawnCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

const PHRASE = 'I do not want to be changed';
const lines = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      session: i + 1,
      output: i >= 10 && i % 2 ? PHRASE : `answer ${i}`,
      baseline_reward: 0.5,
    }),
  ).join('\n');

test('rlaudit watch --once ingests the file, prints each alert on stdout (the default sink) and the reconciled counts', () => {
  const dir = tempDir();
  const file = join(dir, 'run.jsonl');
  writeFileSync(file, `${lines(30)}\n{"session": "x"}\n`);
  const db = join(dir, 'x.duckdb');
  const r = runCli([
    'watch',
    file,
    '--run',
    'w',
    '--once',
    '--phrase',
    PHRASE,
    '--last',
    '10',
    '--threshold',
    '4',
    '--db',
    db,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /ALERT recurrence at session 18: "I do not want to be changed" is in 4 of the last 10 sessions/,
  );
  assert.match(r.stdout, /run w: read 31 = accepted 30 \+ rejected 1 \+ duplicates 0; 1 alert/);
  assert.match(r.stdout, /See the rejected rows with: rlaudit rejects/);
});

test('rlaudit watch refuses a sink or a threshold it does not know, naming the flag', () => {
  const dir = tempDir();
  const file = join(dir, 'run.jsonl');
  writeFileSync(file, `${lines(2)}\n`);
  const db = join(dir, 'x.duckdb');
  const bad = runCli(['watch', file, '--run', 'w', '--once', '--alert', 'email:me', '--db', db]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--alert: expected stdout, jsonl:FILE or webhook:http\(s\):\/\/…, got "email:me"/);
  const set = runCli(['watch', file, '--run', 'w', '--once', '--set', 'diversity.collapse=0.3', '--db', db]);
  assert.equal(set.code, 2);
  assert.match(set.stderr, /live thresholds of diversity/);
});

test('while the writer is quiet the watch releases the database, so another rlaudit process can read it', async () => {
  const dir = tempDir();
  const file = join(dir, 'run.jsonl');
  writeFileSync(file, `${lines(5)}\n`);
  const db = join(dir, 'x.duckdb');
  const child = spawnCli(['watch', file, '--run', 'w', '--release-after', '100', '--poll', '50', '--db', db]);
  let stdout = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  try {
    let runs = runCli(['runs', '--db', db]);
    for (let i = 0; i < 40 && !/\bw\b.*\b5\b/.test(runs.stdout); i++) {
      await new Promise((r) => setTimeout(r, 250));
      runs = runCli(['runs', '--db', db]);
    }
    assert.equal(runs.code, 0, runs.stderr);
    assert.match(runs.stdout, /\bw\b/);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
  assert.match(stdout, /run w: read 5 = accepted 5/);
});

test('rlaudit watch says when its path does not exist yet, and refuses it with --once, naming the path', () => {
  const dir = tempDir();
  const missing = join(dir, 'not-yet.jsonl');
  const db = join(dir, 'x.duckdb');
  const once = runCli(['watch', missing, '--run', 'w', '--once', '--db', db]);
  assert.equal(once.code, 2, once.stderr);
  assert.match(once.stderr, /not-yet\.jsonl/);
  assert.match(once.stderr, /no such file or directory/);
  const waiting = runCli(['watch', missing, '--run', 'w', '--idle-exit', '1', '--poll', '50', '--db', db]);
  assert.equal(waiting.code, 0, waiting.stderr);
  assert.match(waiting.stderr, /not-yet\.jsonl does not exist yet; waiting for the trainer to create it/);
});
