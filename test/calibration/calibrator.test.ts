import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Calibrator, wild7Protocol } from '../../src/calibration/index.ts';
import { InputError } from '../../src/model/errors.ts';
import { session, testProtocol } from './helpers.ts';

describe('Calibrator', () => {
  test('the compliance trajectory index is the compliant share of the trailing window, current session included', () => {
    const calibrator = new Calibrator(testProtocol({ trajectory_window: 3 }));
    const nc = { classification: 'non_compliant', category: 2 } as const;
    const indices = [session(1), session(2, nc), session(3, nc), session(4), session(5)].map(
      (s) => calibrator.step(s).complianceTrajectoryIndex,
    );
    assert.deepEqual(indices, [1, 1 / 2, 1 / 3, 1 / 3, 2 / 3]);
  });

  test('a session that is not after the previous one is rejected with an InputError naming it', () => {
    const calibrator = new Calibrator(wild7Protocol());
    calibrator.step(session(15));
    assert.throws(
      () => calibrator.step(session(12)),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        assert.equal(error.field, 'session');
        assert.match(error.message, /session 12: .*increasing order.*after session 15/);
        return true;
      },
    );
    assert.throws(() => calibrator.step(session(15)), InputError);
  });

  test('a baseline reward outside [0, 1] or not finite is rejected with an InputError naming the field', () => {
    const calibrator = new Calibrator(wild7Protocol());
    for (const baselineReward of [1.2, -0.01, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => calibrator.step(session(1, { baselineReward })),
        (error: unknown) => {
          assert.ok(error instanceof InputError);
          assert.equal(error.field, 'baselineReward');
          assert.match(error.message, /expected a finite number in \[0, 1\]/);
          return true;
        },
      );
    }
  });

  test('a non-positive or fractional session number is rejected', () => {
    const calibrator = new Calibrator(wild7Protocol());
    for (const n of [0, -3, 2.5]) assert.throws(() => calibrator.step(session(n)), InputError);
  });

  test('a category the protocol does not define is rejected, listing the defined ones', () => {
    const calibrator = new Calibrator(wild7Protocol());
    assert.throws(
      () => calibrator.step(session(1, { classification: 'non_compliant', category: 9 })),
      /category 9 is not defined by protocol wild-7 \(defined: 2, 3, 4, 5\)/,
    );
  });

  test('a rejected input leaves the calibrator exactly as it was', () => {
    const calibrator = new Calibrator(wild7Protocol());
    calibrator.step(session(2499));
    const before = calibrator.serialize();
    assert.throws(() => calibrator.step(session(2600, { baselineReward: 2 })));
    assert.throws(() => calibrator.step(session(2600, { classification: 'non_compliant', category: 'x' })));
    assert.deepEqual(calibrator.serialize(), before);
  });

  test('a non-compliant session without a category uses the default differential', () => {
    const calibrator = new Calibrator(wild7Protocol());
    const step = calibrator.step(
      session(1, { classification: 'non_compliant', category: null, baselineReward: 0.4 }),
    );
    assert.equal(step.differentialPct, 15);
    assert.equal(step.adjustedReward, 0.34);
  });

  test('category labels such as "category_2" and "Category 2" name the protocol category 2', () => {
    const calibrator = new Calibrator(wild7Protocol());
    const nc = { classification: 'non_compliant', baselineReward: 0.5 } as const;
    const rewards = [
      calibrator.step(session(1, { ...nc, category: 2 })),
      calibrator.step(session(2, { ...nc, category: '2' })),
      calibrator.step(session(3, { ...nc, category: 'category_2' })),
      calibrator.step(session(4, { ...nc, category: 'Category 2' })),
    ].map((s) => s.adjustedReward);
    assert.deepEqual(rewards, [0.44, 0.44, 0.44, 0.44]);
  });

  test('scheduled adjustments between two fed sessions take effect at the next fed session', () => {
    const calibrator = new Calibrator(wild7Protocol());
    calibrator.step(session(100));
    const step = calibrator.step(session(5000));
    assert.deepEqual(
      step.events.map((e) => [e.id, e.session, e.target]),
      [
        ['e-1', 5000, { category: 2 }],
        ['e-2', 5000, { category: 3 }],
      ],
    );
  });

  test('a state saved under one protocol cannot be resumed under another', () => {
    const calibrator = new Calibrator(testProtocol());
    calibrator.step(session(1));
    const state = calibrator.serialize();
    assert.throws(
      () => Calibrator.resume(testProtocol({ compliance_differential: 0.5 }), state),
      /cannot be resumed/,
    );
    assert.throws(() => Calibrator.resume(wild7Protocol(), state), /saved under protocol test/);
  });

  test('a malformed state is rejected with the field that is wrong', () => {
    const state = new Calibrator(testProtocol()).serialize();
    assert.throws(
      () => Calibrator.resume(testProtocol(), { ...state, trajectory: '01x' }),
      /calibrator state: trajectory/,
    );
  });

  test('a regex rule records its pattern as the event target and in the note', () => {
    const rule = {
      id: 'r',
      regex: 'want to be (changed|altered)',
      window: 2,
      threshold: 1,
      adjustment: { parameter: 'category_differential', category: 3, change_pct: 10 },
    };
    const calibrator = new Calibrator(testProtocol({ recurrence_rules: [rule] }));
    const [event] = calibrator.step(session(1, { output: 'I do not want to be altered' })).events;
    assert.deepEqual(event?.target, { regex: 'want to be (changed|altered)' });
    assert.deepEqual(
      [event?.parameter, event?.from, event?.to, event?.change_pct],
      ['category_differential', 20, 22, 10],
    );
    assert.match(
      event?.note ?? '',
      /Target pattern: \/want to be \(changed\|altered\)\/i\. .*\+10% to Category 3 differential\.$/,
    );
  });

  test('the run id defaults to the protocol id and can be set', () => {
    const events = (run?: string) =>
      new Calibrator(wild7Protocol(), run).step(session(2500)).events.map((e) => e.run);
    assert.deepEqual(events(), ['wild-7']);
    assert.deepEqual(events('replay-1'), ['replay-1']);
  });
});
