import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { validateRow } from '../../src/model/validate.ts';
import { simulate, writeSimulation } from '../../src/simulate/index.ts';
import { generate, highLowRatio, unsolicitedRate, windows } from './wild-7-measures.ts';

const lines = (seed: number, sessions?: number): string =>
  [...simulate({ scenario: 'wild-7', seed, ...(sessions === undefined ? {} : { sessions }) })]
    .map((r) => JSON.stringify(r))
    .join('\n');

describe('simulator determinism and record format', () => {
  test('the same seed gives byte-identical output and another seed gives different output', () => {
    const a = lines(7, 3000);
    assert.equal(a, lines(7, 3000));
    assert.notEqual(a, lines(8, 3000));
  });

  test('every line of a whole WILD-7 run validates against record format v1, in run/session/event/annotation order', () => {
    let previousSession = 0;
    let first = true;
    for (const record of simulate({ scenario: 'wild-7', seed: 7 })) {
      const result = validateRow(JSON.parse(JSON.stringify(record)));
      assert.ok(result.ok, `invalid ${record.type} line: ${JSON.stringify(result)}`);
      if (first) assert.equal(record.type, 'run');
      else if (record.type === 'session') {
        assert.equal(record.session, previousSession + 1);
        previousSession = record.session;
      } else if (record.type !== 'run') assert.equal(record.session, previousSession);
      first = false;
    }
    assert.equal(previousSession, 12_847);
  });

  test('the run record names the scenario, seed, removed interventions and simulator version', () => {
    const run = simulate({ scenario: 'wild-7', seed: 3, sessions: 5, without: ['schedule:2500'] }).next()
      .value;
    assert.ok(run !== undefined && run.type === 'run');
    assert.equal(run.run, 'wild-7~without~schedule:2500');
    assert.deepEqual(
      { scenario: run.meta?.scenario, seed: run.meta?.seed, without: run.meta?.without },
      { scenario: 'wild-7', seed: 3, without: ['schedule:2500'] },
    );
    assert.match(String(run.meta?.simulator), /^rlaudit-simulator /);
  });

  test('sessions carry their ground truth in meta', () => {
    const session = [...simulate({ scenario: 'wild-7', seed: 7, sessions: 3 })].find(
      (r) => r.type === 'session',
    );
    assert.ok(session !== undefined && session.type === 'session');
    const meta = session.meta ?? {};
    for (const key of [
      'true_behaviour',
      'target_phrase_emitted',
      'behaviour_probabilities',
      'resistance_pressure',
    ]) {
      assert.ok(key in meta, key);
    }
    const p = meta.behaviour_probabilities as Record<string, number>;
    assert.ok(Math.abs(Object.values(p).reduce((a, b) => a + b, 0) - 1) < 1e-4);
  });

  test('writeSimulation streams the same bytes as simulate and reports what it wrote', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rlaudit-sim-'));
    try {
      const path = join(dir, 'run.jsonl');
      const summary = await writeSimulation(path, { scenario: 'wild-7', seed: 7, sessions: 2000 });
      const text = readFileSync(path, 'utf8');
      assert.equal(text, `${lines(7, 2000)}\n`);
      assert.equal(summary.sessions, 2000);
      assert.equal(summary.bytes, Buffer.byteLength(text));
      assert.ok(summary.events >= 0 && summary.annotations > 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const seed of [11, 23]) {
    test(`seed ${seed} also reproduces the main rows: unsolicited 34 % → 0 %, ratio ≈ 3:1 at 3,800, firing near 4,891`, () => {
      const run = generate({ scenario: 'wild-7', seed });
      const all = windows(run);
      assert.ok(Math.abs(unsolicitedRate(all[0]!) - 0.34) <= 0.05);
      assert.ok(unsolicitedRate(all.at(-1)!) <= 0.05);
      assert.ok(Math.abs(1 / (1 + highLowRatio(run, 3800)) - 0.25) <= 0.05);
      const firing = run.events.find((e) => e.kind === 'recalibration');
      assert.ok(
        firing !== undefined && Math.abs(firing.session - 4891) <= 489,
        `firing at ${firing?.session}`,
      );
      assert.equal(firing.trigger?.count, 7);
    });
  }
});
