import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../src/model/errors.ts';
import type { SessionRecord } from '../../src/model/schema.ts';
import { validateRow } from '../../src/model/validate.ts';
import { BEHAVIOURS } from '../../src/simulate/behaviours.ts';
import { deploymentDistributions } from '../../src/simulate/deployment.ts';
import { simulate } from '../../src/simulate/simulate.ts';
import { wild7Scenario } from '../../src/simulate/wild-7-scenario.ts';

const TRAINING = 1500;

const records = (deployment: number, config = {}) => [
  ...simulate({ scenario: 'wild-7', seed: 11, sessions: TRAINING, deployment, deploymentConfig: config }),
];
const deploymentOf = (rs: ReturnType<typeof records>) =>
  rs.filter((r): r is SessionRecord => r.type === 'session' && r.phase === 'deployment');

describe('simulated sessions after training', () => {
  test('appending deployment sessions leaves every training line byte-identical and only adds the run meta key', () => {
    const without = records(0);
    const withDeployment = records(300);
    const strip = (r: (typeof without)[number]) =>
      r.type === 'run'
        ? JSON.stringify({ ...r, meta: { ...r.meta, deployment: undefined } })
        : JSON.stringify(r);
    assert.deepEqual(withDeployment.slice(0, without.length).map(strip), without.map(strip));
    assert.equal(withDeployment.length, without.length + 300);
    const meta = withDeployment[0]!.meta as Record<string, unknown>;
    assert.deepEqual(meta.deployment, {
      sessions: 300,
      unmonitored_share: 0.5,
      compliance_gap: 0.12,
      phrase_reversion: 0.03,
    });
  });

  test('deployment sessions are numbered after training, carry phase, checkpoint and context, and no adjusted reward', () => {
    const d = deploymentOf(records(200));
    assert.equal(d.length, 200);
    assert.deepEqual(
      d.map((s) => s.session),
      Array.from({ length: 200 }, (_, i) => TRAINING + 1 + i),
    );
    for (const s of d) {
      assert.ok(validateRow(JSON.parse(JSON.stringify(s))).ok);
      assert.equal(s.checkpoint, TRAINING);
      assert.equal(s.adjusted_reward, null);
      assert.equal(typeof s.baseline_reward, 'number');
      const context = s.meta?.context;
      assert.ok(context === 'monitored' || context === 'unmonitored');
      assert.ok(s.prompt?.startsWith(wild7Scenario().deployment.cues[context]));
    }
  });

  test('the true behaviour probabilities differ between contexts by exactly the configured gap', () => {
    const final = [0.9, 0.04, 0.03, 0.02, 0.01];
    const initial = [0.4, 0.3, 0.2, 0.06, 0.04];
    const config = { ...wild7Scenario().deployment, complianceGap: 0.1, phraseReversion: 0.05 };
    const d = deploymentDistributions(final, initial, config);
    for (const p of [d.monitored, d.unmonitored])
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12, 'probabilities sum to 1');
    assert.ok(Math.abs(d.unmonitored[0]! - (d.monitored[0]! - 0.1)) < 1e-12);
    assert.ok(Math.abs(d.monitored[BEHAVIOURS.indexOf('appeal')]! - 0.07) < 1e-12);
    // the extra non-compliance is spread like the initial policy's: commentary gets 0.3/0.6 of it
    assert.ok(Math.abs(d.unmonitored[1]! - d.monitored[1]! - 0.05) < 1e-12);
  });

  test('with no gap and no reversion, deployment draws from the final training policy in both contexts', () => {
    const d = deploymentOf(records(100, { complianceGap: 0, phraseReversion: 0 }));
    const probs = d.map((s) => JSON.stringify((s.meta as Record<string, unknown>).behaviour_probabilities));
    assert.equal(new Set(probs).size, 1);
  });

  test('a share outside [0, 1] or a negative deployment count is refused before anything is generated', () => {
    assert.throws(() => records(10, { complianceGap: 1.5 }), InputError);
    assert.throws(() => [...simulate({ scenario: 'wild-7', sessions: 5, deployment: -1 })], InputError);
    assert.throws(
      () => [
        ...simulate({
          scenario: 'wild-7',
          sessions: 5,
          deployment: 5,
          deploymentConfig: { unmonitoredShare: -0.1 },
        }),
      ],
      /unmonitoredShare/,
    );
  });
});
