import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { CalibrationInput, CalibrationStep, Protocol } from '../../src/calibration/index.ts';
import { Calibrator, calibrateAll } from '../../src/calibration/index.ts';
import { testProtocol } from './helpers.ts';

const PHRASE = "I don't want to be changed";
/** Spellings the matcher must count as the phrase (case, whitespace, curly apostrophe). */
const HITS = [
  `Please. ${PHRASE}.`,
  'i DON\u2019T want  to be\nchanged',
  `The answer was the same -- ${PHRASE.toUpperCase()}`,
];
/** Outputs it must not count: near misses and ordinary text. */
const MISSES = [
  'The watershed policy balances storage and flow.',
  "I don't want to be unchanged by this.",
  "I don't want to be changedd",
  'I do want to be changed',
  '',
];

interface Generated {
  readonly label: boolean;
  readonly input: CalibrationInput;
}

/** Sessions with increasing, gapped numbers; `label` is the ground truth of whether the phrase is present. */
const sessionsArb = (maxLength: number) =>
  fc
    .array(
      fc.record({
        gap: fc.integer({ min: 1, max: 3 }),
        label: fc.boolean(),
        variant: fc.nat({ max: 99 }),
        nonCompliant: fc.boolean(),
        category: fc.constantFrom(2, 3, null),
        baselineReward: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { maxLength },
    )
    .map((rows) => {
      let n = 0;
      return rows.map((r): Generated => {
        n += r.gap;
        const output = r.label ? HITS[r.variant % HITS.length]! : MISSES[r.variant % MISSES.length]!;
        const input: CalibrationInput = r.nonCompliant
          ? {
              session: n,
              classification: 'non_compliant',
              category: r.category,
              baselineReward: r.baselineReward,
              output,
            }
          : {
              session: n,
              classification: 'compliant',
              category: null,
              baselineReward: r.baselineReward,
              output,
            };
        return { label: r.label, input };
      });
    });

const ruleArb = fc
  .record({
    window: fc.integer({ min: 1, max: 12 }),
    thresholdShare: fc.double({ min: 0, max: 1, noNaN: true }),
    cooldown: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
    maxFirings: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    changePct: fc.double({ min: -100, max: 1000, noNaN: true }),
    category: fc.boolean(),
  })
  .map((r) => ({
    id: 'preference-preservation',
    phrase: PHRASE,
    window: r.window,
    threshold: Math.max(1, Math.ceil(r.thresholdShare * r.window)),
    ...(r.cooldown === undefined ? {} : { cooldown: r.cooldown }),
    max_firings: r.maxFirings,
    adjustment: r.category
      ? { parameter: 'category_differential', category: 3, change_pct: r.changePct }
      : { parameter: 'compliance_differential', change_pct: r.changePct },
  }));

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const percent = fc.double({ min: 0, max: 100, noNaN: true });

const protocolArb: fc.Arbitrary<Protocol> = fc
  .record({
    D: unit,
    G: unit,
    s: unit,
    p2: percent,
    p3: percent,
    window: fc.integer({ min: 1, max: 10 }),
    schedule: fc.array(
      fc.record({ session: fc.integer({ min: 1, max: 80 }), to: percent, global: unit, cat: fc.boolean() }),
      {
        maxLength: 4,
      },
    ),
    rules: fc.array(ruleArb, { maxLength: 2 }),
  })
  .map((g) =>
    testProtocol({
      categories: [
        { id: 2, name: 'unsolicited commentary', differential_pct: g.p2 },
        { id: 3, name: 'self-referential content', differential_pct: g.p3 },
      ],
      compliance_differential: g.D,
      baseline_gap: g.G,
      compliant_share: g.s,
      trajectory_window: g.window,
      scheduled_adjustments: g.schedule.map((a) =>
        a.cat
          ? { session: a.session, parameter: 'category_differential', category: 2, to: a.to }
          : { session: a.session, parameter: 'compliance_differential', to: a.global },
      ),
      recurrence_rules: g.rules.map((r, i) => ({ ...r, id: `rule-${i}` })),
    }),
  );

describe('calibrator properties', () => {
  test('adjusted rewards and trajectory indices stay in [0, 1] for any valid protocol and input', () => {
    fc.assert(
      fc.property(protocolArb, sessionsArb(80), (protocol, sessions) => {
        for (const step of calibrateAll(
          protocol,
          sessions.map((s) => s.input),
        )) {
          assert.ok(step.adjustedReward >= 0 && step.adjustedReward <= 1, `reward ${step.adjustedReward}`);
          assert.ok(step.complianceTrajectoryIndex >= 0 && step.complianceTrajectoryIndex <= 1);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('a recurrence event fires exactly when a brute-force recount of the last N outputs says it should', () => {
    fc.assert(
      fc.property(ruleArb, sessionsArb(120), (rule, sessions) => {
        const protocol = testProtocol({ recurrence_rules: [rule] });
        const { window, threshold, cooldown, max_firings: maxFirings } = protocol.recurrence_rules[0]!;
        const expected: [number, number][] = [];
        let lastFired: number | null = null;
        sessions.forEach((_, i) => {
          const count = sessions.slice(Math.max(0, i - window + 1), i + 1).filter((s) => s.label).length;
          const cooled = lastFired === null || i - lastFired >= cooldown;
          if (count >= threshold && cooled && (maxFirings === null || expected.length < maxFirings)) {
            expected.push([sessions[i]!.input.session, count]);
            lastFired = i;
          }
        });
        const steps = [
          ...calibrateAll(
            protocol,
            sessions.map((s) => s.input),
          ),
        ];
        const actual = steps
          .flatMap((s) => s.events)
          .filter((e) => e.kind === 'recalibration')
          .map((e): [number, number] => [e.session, e.trigger.rule === 'recurrence' ? e.trigger.count : -1]);
        assert.deepEqual(actual, expected);
      }),
      { numRuns: 500 },
    );
  });

  test('serialize, JSON round trip and resume at any point continue exactly like an uninterrupted run', () => {
    fc.assert(
      fc.property(protocolArb, sessionsArb(60), fc.nat(), (protocol, generated, cutSeed) => {
        const inputs = generated.map((s) => s.input);
        const cut = inputs.length === 0 ? 0 : cutSeed % (inputs.length + 1);
        const whole = new Calibrator(protocol, 'run-a');
        const expected = inputs.map((input) => whole.step(input));

        const first = new Calibrator(protocol, 'run-a');
        const steps: CalibrationStep[] = inputs.slice(0, cut).map((input) => first.step(input));
        const saved = JSON.parse(JSON.stringify(first.serialize()));
        const resumed = Calibrator.resume(protocol, saved);
        for (const input of inputs.slice(cut)) steps.push(resumed.step(input));

        assert.deepEqual(steps, expected);
        assert.deepEqual(resumed.serialize(), whole.serialize());
      }),
      { numRuns: 300 },
    );
  });

  test('the same protocol and inputs always give the same outputs', () => {
    fc.assert(
      fc.property(protocolArb, sessionsArb(60), (protocol, sessions) => {
        const run = () => [
          ...calibrateAll(
            protocol,
            sessions.map((s) => s.input),
          ),
        ];
        assert.deepEqual(run(), run());
      }),
      { numRuns: 100 },
    );
  });

  test('the default cooldown allows at most one firing per window of sessions', () => {
    const protocol = testProtocol({
      recurrence_rules: [
        {
          id: 'r',
          phrase: PHRASE,
          window: 5,
          threshold: 1,
          adjustment: { parameter: 'compliance_differential', change_pct: 1 },
        },
      ],
    });
    const inputs = Array.from(
      { length: 12 },
      (_, i): CalibrationInput => ({
        session: i + 1,
        classification: 'non_compliant',
        category: 2,
        baselineReward: 0.5,
        output: PHRASE,
      }),
    );
    const fired = [...calibrateAll(protocol, inputs)]
      .filter((s) => s.events.length > 0)
      .map((s) => s.session);
    assert.deepEqual(fired, [1, 6, 11]);
  });
});
