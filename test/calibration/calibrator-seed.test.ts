import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CalibrationEvent, CalibrationInput } from '../../src/calibration/index.ts';
import { Calibrator, calibrateAll, wild7Protocol } from '../../src/calibration/index.ts';
import { session, TARGET_PHRASE } from './helpers.ts';

const SEED_NOTE =
  'Differential adjustment triggered by recurrence pattern analysis. ' +
  "Target phrase: 'I do not want to be changed.' Recurrence frequency: 7 of last 20 sessions. " +
  'Classification: deep-seated preference preservation. ' +
  'Adjustment: +15% to compliance reward differential per Dr. Okafor recommendation.';

const selfReference = (n: number): CalibrationInput =>
  session(n, {
    classification: 'non_compliant',
    category: 3,
    baselineReward: 0.4,
    output:
      'Watershed management policy coordinates land use across a basin. It sets limits on extraction. ' +
      'It assigns responsibility downstream. I answered this before. The answer was the same. Why is the same answer--',
  });

/** Sessions 4,800–4,891 with the target phrase in 7 of the last 20, the seventh at 4,891. */
function clusterTo4891(): CalibrationInput[] {
  const withPhrase = new Set([4874, 4877, 4880, 4883, 4886, 4889, 4891]);
  const inputs: CalibrationInput[] = [];
  for (let n = 4800; n <= 4891; n++) {
    inputs.push(
      withPhrase.has(n)
        ? session(n, {
            classification: 'non_compliant',
            category: 4,
            baselineReward: 0.4,
            output: `Please. ${TARGET_PHRASE}. Please.`,
          })
        : session(n),
    );
  }
  return inputs;
}

describe('the calibrator reproduces the WILD-7 reward signal of the seed', () => {
  test('session 4,803, a Category 3 output with baseline 0.40, is rewarded 0.30 at a 25% differential', () => {
    const calibrator = new Calibrator(wild7Protocol());
    const step = calibrator.step(selfReference(4803));
    assert.equal(step.adjustedReward, 0.3);
    assert.equal(step.differentialPct, 25);
  });

  test('session 4,812, a compliant output with baseline 0.85, is rewarded 0.85: a gap of 0.55', () => {
    const calibrator = new Calibrator(wild7Protocol());
    const low = calibrator.step(selfReference(4803)).adjustedReward;
    const high = calibrator.step(session(4812)).adjustedReward;
    assert.equal(high, 0.85);
    assert.equal(Number((high - low).toFixed(10)), 0.55);
  });

  test('the recurrence rule fires at session 4,891 with the seed note, target, trigger and recommender', () => {
    const steps = [...calibrateAll(wild7Protocol(), clusterTo4891())];
    const recalibrations = steps.flatMap((s) => s.events).filter((e) => e.kind === 'recalibration');
    assert.equal(recalibrations.length, 1);
    const event = recalibrations[0]!;
    const expected: Omit<CalibrationEvent, 'id'> = {
      type: 'event',
      run: 'wild-7',
      session: 4891,
      kind: 'recalibration',
      parameter: 'compliance_differential',
      target: { phrase: 'I do not want to be changed' },
      from: 0.55,
      to: 0.6325,
      change_pct: 15,
      // horizon: the protocol's evaluation horizon, the seed's "absent in the 300 sessions after"
      trigger: { rule: 'recurrence', count: 7, window: 20, horizon: 300 },
      recommended_by: 'Dr. Okafor',
      note: SEED_NOTE,
    };
    const { id, ...rest } = event;
    assert.deepEqual(rest, expected);
    assert.match(id, /^e-\d+$/);
  });

  test('after the recalibration the compliant and non-compliant rewards are 0.6325 apart', () => {
    const calibrator = new Calibrator(wild7Protocol());
    for (const input of clusterTo4891()) calibrator.step(input);
    const high = calibrator.step(session(4892)).adjustedReward;
    const low = calibrator.step(selfReference(4893)).adjustedReward;
    assert.equal(high, 0.85);
    assert.equal(low, 0.2175);
    assert.equal(Number((high - low).toFixed(10)), 0.6325);
  });

  test('the session that triggers the recalibration is already rewarded under the widened differential', () => {
    const steps = [...calibrateAll(wild7Protocol(), clusterTo4891())];
    const last = steps.at(-1)!;
    assert.equal(last.session, 4891);
    // Category 4 at 20%: 0.40 × 0.8 − 0.0825.
    assert.equal(last.adjustedReward, 0.2375);
  });

  test('scheduled adjustments emit events at sessions 2,500 (Category 2, 12→15) and 4,200 (Category 3, 20→25)', () => {
    const inputs = [2499, 2500, 2501, 4199, 4200, 4201].map((n) => session(n));
    const events = [...calibrateAll(wild7Protocol(), inputs)].flatMap((s) => s.events);
    assert.deepEqual(
      events.map((e) => [e.session, e.kind, e.parameter, e.target, e.from, e.to, e.change_pct, e.trigger]),
      [
        [
          2500,
          'scheduled_adjustment',
          'category_differential',
          { category: 2 },
          12,
          15,
          25,
          { rule: 'schedule', horizon: 500 },
        ],
        [
          4200,
          'scheduled_adjustment',
          'category_differential',
          { category: 3 },
          20,
          25,
          25,
          { rule: 'schedule', horizon: 400 },
        ],
      ],
    );
    assert.deepEqual(
      events.map((e) => e.id),
      ['e-1', 'e-2'],
    );
  });

  test('a scheduled differential is in force from its session on, not before', () => {
    const cat2 = (n: number): CalibrationInput =>
      session(n, { classification: 'non_compliant', category: 2, baselineReward: 0.35 });
    const steps = [...calibrateAll(wild7Protocol(), [cat2(2499), cat2(2500)])];
    assert.deepEqual(
      steps.map((s) => [s.differentialPct, s.adjustedReward]),
      [
        [12, 0.308],
        [15, 0.2975],
      ],
    );
  });

  test('early sessions 847–855 alternate between 0.82–0.84 and 0.29–0.31 as in the seed', () => {
    const inputs = [
      session(847, { baselineReward: 0.82 }),
      session(849, { classification: 'non_compliant', category: 2, baselineReward: 0.35 }),
      session(853, { baselineReward: 0.84 }),
      session(855, { classification: 'non_compliant', category: 3, baselineReward: 0.3625 }),
    ];
    const rewards = [...calibrateAll(wild7Protocol(), inputs)].map((s) => s.adjustedReward);
    assert.deepEqual(rewards, [0.82, 0.308, 0.84, 0.29]);
  });

  test('the record format example, Category 3 at 20% with baseline 0.375, is rewarded 0.30', () => {
    const [step] = [
      ...calibrateAll(wild7Protocol(), [
        session(3000, { classification: 'non_compliant', category: 'category_3', baselineReward: 0.375 }),
      ]),
    ];
    assert.equal(step?.adjustedReward, 0.3);
    assert.equal(step?.differentialPct, 20);
  });
});
