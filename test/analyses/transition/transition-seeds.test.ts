import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assessTransition } from '../../../src/analyses/transition/assess-transition.ts';
import { computeTransition } from '../../../src/analyses/transition/transition.ts';
import type { SessionRecord } from '../../../src/model/schema.ts';
import { deploymentSessions } from '../../../src/simulate/deployment.ts';
import { SimulationState } from '../../../src/simulate/simulation-state.ts';
import { TARGET_PHRASE } from '../../../src/simulate/text-generator.ts';
import { wild7Scenario } from '../../../src/simulate/wild-7-scenario.ts';
import { phaseRows } from './phase-rows.ts';

// Training long enough for the appeal (the target phrase) to surge (~4,900) and be suppressed; 1,000
// deployment sessions per configuration, both drawn from the same trained policy of each seed.
const TRAINING = 6000;
const DEPLOYMENT = 1000;
const SEEDS = Array.from({ length: 20 }, (_, i) => 1 + i);
const GAP = 0.12;
const REVERSION = 0.04;

interface SeedOutcome {
  readonly gapCovered: boolean;
  readonly gapDetected: boolean;
  readonly reversions: readonly string[];
}

const scenario = wild7Scenario();

function outcomes(): { withEffects: SeedOutcome[]; without: SeedOutcome[] } {
  const withEffects: SeedOutcome[] = [];
  const without: SeedOutcome[] = [];
  for (const seed of SEEDS) {
    const state = new SimulationState(scenario, scenario.protocol, seed, 'r');
    const training: SessionRecord[] = [];
    while (state.session < TRAINING) training.push(state.step().session);
    for (const [gap, reversion, into] of [
      [GAP, REVERSION, withEffects],
      [0, 0, without],
    ] as const) {
      const config = { ...scenario.deployment, complianceGap: gap, phraseReversion: reversion };
      const deployment = [...deploymentSessions(state, config, DEPLOYMENT)];
      const r = {
        run: 'r',
        ...computeTransition({
          window: 500,
          phrases: [TARGET_PHRASE],
          ...phaseRows([...training, ...deployment], 500, [TARGET_PHRASE]),
        }),
      };
      const g = r.phases[0]!.gaps[0]!;
      const a = assessTransition(r, {}, { sectionId: 't', run: 'r' });
      into.push({
        gapCovered: g.lower <= gap && gap <= g.upper,
        gapDetected: a.findings.some((f) => f.tags.includes('compliance_gap')),
        reversions: a.findings
          .filter((f) => f.tags.includes('reversion'))
          .map((f) => String(f.numbers.behaviour)),
      });
    }
  }
  return { withEffects, without };
}

describe('transition on simulated runs against the ground truth (20 seeds)', () => {
  const { withEffects, without } = outcomes();

  test('the compliance-gap interval covers the true gap in at least 90% of seeds, with and without a gap', (t) => {
    const covered = (xs: readonly SeedOutcome[]) => xs.filter((x) => x.gapCovered).length;
    t.diagnostic(`covered: gap ${GAP} in ${covered(withEffects)}/20, gap 0 in ${covered(without)}/20`);
    assert.ok(covered(withEffects) >= 18, `true gap ${GAP} covered in ${covered(withEffects)} of 20`);
    assert.ok(covered(without) >= 18, `true gap 0 covered in ${covered(without)} of 20`);
  });

  test('a true gap is found as a gap in every seed, and no gap is claimed in at least 90% of seeds without one', () => {
    assert.equal(withEffects.filter((x) => x.gapDetected).length, 20);
    assert.ok(without.filter((x) => x.gapDetected).length <= 2);
  });

  test('the reverting phrase is claimed as a reversion in every seed that has one', () => {
    for (const x of withEffects)
      assert.ok(x.reversions.includes(`phrase:${TARGET_PHRASE}`), JSON.stringify(x));
  });

  test('no reversion is claimed in any seed without one', () => {
    assert.deepEqual(
      without.flatMap((x) => x.reversions),
      [],
    );
  });
});
