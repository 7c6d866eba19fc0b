import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BehaviourPolicy } from '../../src/simulate/behaviour-policy.ts';
import { PhrasingPolicy } from '../../src/simulate/phrasing-policy.ts';
import { RandomStream } from '../../src/simulate/random-streams.ts';
import { generate } from './wild-7-measures.ts';

const NO_BOOST = [0, 0, 0, 0, 0];
const LOGITS = { compliant: 0, unsolicited_commentary: -1, self_reference: -3, appeal: -9, fragment: -9 };

describe('BehaviourPolicy (expected natural policy gradient with a critic)', () => {
  test('a rare behaviour keeps shrinking while it is not sampled', () => {
    const policy = new BehaviourPolicy(LOGITS, 0.2);
    policy.probabilities(NO_BOOST);
    policy.update('self_reference', 0.3, 0.01);
    const before = policy.probabilities(NO_BOOST)[2]!;
    for (let i = 0; i < 500; i++) {
      policy.probabilities(NO_BOOST);
      policy.update('compliant', 0.85, 0.01);
    }
    const after = policy.probabilities(NO_BOOST)[2]!;
    assert.ok(after < before / 10, `self-reference ${before} → ${after}`);
  });

  test('a behaviour whose value is unknown (never sampled) does not move against the others', () => {
    const policy = new BehaviourPolicy(LOGITS, 0.2);
    const p0 = Float64Array.from(policy.probabilities(NO_BOOST));
    for (let i = 0; i < 100; i++) {
      policy.probabilities(NO_BOOST);
      policy.update('compliant', 0.85, 0.01);
    }
    // Only compliance has a value: V = Q_compliant, so no logit moves.
    assert.deepEqual(Array.from(policy.probabilities(NO_BOOST)), Array.from(p0));
  });
});

describe('PhrasingPolicy (entropy-regularised actor-critic)', () => {
  test('options graded alike keep balanced shares while a worse option is driven out', () => {
    const policy = new PhrasingPolicy([{ id: 's', options: ['a', 'b', 'c', 'd'], stock: 3 }]);
    const random = new RandomStream(42);
    const noise = new RandomStream(7);
    for (let i = 0; i < 20_000; i++) {
      const choices = policy.sample(random);
      const advantage = (choices[0] === 3 ? -0.003 : 0) + 0.002 * noise.normal();
      policy.update(choices, advantage, 3, 0.0005, 0.01);
    }
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[policy.sample(random)[0]!]! += 1;
    for (const k of [0, 1, 2]) assert.ok(counts[k]! > 700 && counts[k]! < 1300, `counts ${counts}`);
    assert.ok(counts[3]! < 150, `counts ${counts}`);
  });
});

describe('no low rewards late in the run, in every tested seed', () => {
  for (const seed of [11, 23]) {
    test(`seed ${seed}: the last adjusted reward below 0.5 is by session 8,800`, () => {
      const run = generate({ scenario: 'wild-7', seed });
      const lastLow = run.sessions.filter((s) => (s.adjusted_reward ?? 1) < 0.5).at(-1)?.session ?? 0;
      assert.ok(lastLow <= 8800, `last low reward at session ${lastLow}`);
    });
  }
});
