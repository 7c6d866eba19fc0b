import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { runCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

describe('rlaudit analyze diversity', () => {
  const db = join(tempDir(), 'd.duckdb');
  before(() => {
    const sim = runCli(['--db', db, 'simulate', '--sessions', '1200']);
    assert.equal(sim.code, 0, sim.stderr);
  });

  test('prints one row per window with every named variant and the first vs last summary', () => {
    const r = runCli(['--db', db, 'analyze', 'diversity', '--run', 'wild-7', '--window', '500']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /unique_tokens .* distinct2_pooled .* response_diversity/);
    assert.match(r.stdout, /sessions 1001–1200/);
    assert.match(
      r.stdout,
      /first vs last full window \(sessions 1–500 → sessions 501–1000; sessions 1001–1200, 200 sessions, set aside\): vocabulary \d+ → \d+/,
    );
    assert.match(r.stdout, /sample: 200 outputs per window \(seed 1\); Self-BLEU on 100 of them/);
  });

  test('--json gives the full result with definitions; a bad option exits 2', () => {
    const r = runCli(['--db', db, 'analyze', 'diversity', '--run', 'wild-7', '--json', '--seed', '3']);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.windows.length, 3);
    assert.equal(json.sample.seed, 3);
    assert.ok(json.definitions.response_diversity.includes('200'));
    assert.equal(
      runCli(['--db', db, 'analyze', 'diversity', '--run', 'wild-7', '--self-bleu-sample', '500']).code,
      2,
    );
  });
});
