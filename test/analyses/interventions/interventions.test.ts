import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BehaviourBin } from '../../../src/analyses/interventions/intervention-behaviour.ts';
import {
  analyzeInterventionEffects,
  type InterventionEvent,
  type InterventionEventInput,
} from '../../../src/analyses/interventions/interventions.ts';

const event = (
  id: string,
  session: number,
  target: Record<string, unknown> = { category: 2 },
): InterventionEvent => ({
  id,
  session,
  kind: 'scheduled_adjustment',
  parameter: 'category_differential',
  target,
  from: 12,
  to: 15,
});

/** Bins of 50 around `t`: rates from `rate(k)` (k = bin index, −1 ends at t), 50 sessions each. */
function bins(t: number, before: number, after: number, rate: (k: number) => number): BehaviourBin[] {
  const out: BehaviourBin[] = [];
  for (let k = -before; k < after; k++) {
    const from = t + k * 50 + 1;
    out.push({ bin: k, from, to: from + 49, sessions: 50, hits: Math.round(rate(k) * 50) });
  }
  return out;
}

const input = (over: Partial<InterventionEventInput> = {}): InterventionEventInput => ({
  event: event('e-1', 2500),
  behaviour: { kind: 'category', category: '2' },
  horizon: 500,
  before: { sessions: 500, hits: 80 },
  after: { sessions: 500, hits: 60 },
  bins: bins(2500, 20, 10, () => 0.16),
  lastHit: 9000,
  ...over,
});

const run = (events: readonly InterventionEventInput[]) =>
  analyzeInterventionEffects({
    run: 'r',
    lastSession: 10_000,
    binSize: 50,
    spanBefore: 1000,
    events,
    missing: [],
  });

describe('analyzeInterventionEffects', () => {
  test('reports the change as absolute percentage points and relative percent', () => {
    const [e] = run([input()]).events;
    assert.ok(Math.abs(e!.absoluteChangePp! - -4) < 1e-9);
    assert.ok(Math.abs(e!.relativeChangePct! - -25) < 1e-9);
    // the one convention: before = t−h…t−1, after = t+1…t+h, session t in neither
    assert.deepEqual([e!.before.from, e!.before.to, e!.after.from, e!.after.to], [2000, 2499, 2501, 3000]);
  });

  test("the after window named ends at the run's last session when the run ends inside the horizon", () => {
    const [e] = analyzeInterventionEffects({
      run: 'r',
      lastSession: 2700,
      binSize: 50,
      spanBefore: 1000,
      events: [input({ after: { sessions: 200, hits: 20 } })],
      missing: [],
    }).events;
    assert.deepEqual([e!.before.from, e!.before.to, e!.after.from, e!.after.to], [2000, 2499, 2501, 2700]);
    assert.equal(e!.after.sessions, 200);
  });

  test('the Newcombe interval and z test are of after − before (REFERENCES.md vector)', () => {
    const [e] = run([
      input({ before: { sessions: 80, hits: 48 }, after: { sessions: 70, hits: 56 } }),
    ]).events;
    assert.ok(Math.abs(e!.newcombe!.difference - 0.2) < 1e-12);
    assert.ok(Math.abs(e!.newcombe!.lower - 0.0524) < 5e-5);
    assert.ok(Math.abs(e!.newcombe!.upper - 0.3339) < 5e-5);
    assert.ok(Math.abs(e!.test!.z - 2.6502) < 5e-5);
    assert.ok(Math.abs(e!.test!.p - 0.008045) < 5e-7);
  });

  test('the relative change is null when the behaviour was absent before', () => {
    const [e] = run([input({ before: { sessions: 500, hits: 0 } })]).events;
    assert.equal(e!.relativeChangePct, null);
    assert.ok(e!.absoluteChangePp! > 0);
  });

  test('the ITS fit finds a level drop in the bin series, with Newey–West SE', () => {
    const series = bins(2500, 20, 10, (k) => (k < 0 ? 0.3 + 0.002 * k : 0.1) + (k % 2 === 0 ? 0.02 : -0.02));
    const [e] = run([input({ bins: series })]).events;
    assert.equal(e!.its!.binsBefore, 20);
    assert.equal(e!.its!.binsAfter, 10);
    assert.equal(e!.its!.se, 'Newey–West');
    assert.ok(Math.abs(e!.its!.levelChange.estimate - (0.1 - 0.3)) < 0.02);
    assert.ok(e!.its!.levelChange.ci95[1] < 0);
  });

  test('too few bins leave the ITS fit out with a note, the before/after stays', () => {
    const [e] = run([input({ bins: bins(2500, 2, 10, () => 0.1) })]).events;
    assert.equal(e!.its, null);
    assert.equal(e!.projection, null);
    assert.ok(e!.newcombe !== null);
    assert.match(e!.notes.join(' '), /ITS needs/);
  });

  test('the linear projection continues the pre-trend: a steady decline is no effect', () => {
    const series = bins(2500, 20, 10, (k) => 0.3 - 0.004 * k);
    const sum = (f: (k: number) => boolean) => series.filter((b) => f(b.bin)).reduce((s, b) => s + b.hits, 0);
    const [e] = run([
      input({
        bins: series,
        before: { sessions: 500, hits: sum((k) => k < 0 && k >= -10) },
        after: { sessions: 500, hits: sum((k) => k >= 0) },
      }),
    ]).events;
    assert.ok(Math.abs(e!.projection!.effect) < 0.005, `effect ${e!.projection!.effect}`);
    assert.ok(e!.absoluteChangePp! < -1, 'the naive before/after sees the trend as a change');
  });

  test('events within the horizon of each other are flagged as overlapping', () => {
    const r = run([input(), input({ event: event('e-2', 2800) }), input({ event: event('e-3', 4000) })]);
    assert.deepEqual(
      r.events.map((e) => e.overlaps),
      [['e-2'], ['e-1'], []],
    );
    assert.match(r.events[0]!.notes.join(' '), /mixes their effects/);
  });

  test('sessions until gone: last occurrence after the event, 0 when it was gone before', () => {
    const r = run([
      input({ lastHit: 2800 }),
      input({ event: event('e-2', 5000), lastHit: 4000 }),
      input({ event: event('e-3', 7000), lastHit: null }),
    ]);
    assert.deepEqual(r.events[0]!.disappearance, {
      lastOccurrence: 2800,
      sessionsUntilGone: 300,
      observedAbsence: 7200,
      gone: true,
    });
    assert.equal(r.events[1]!.disappearance.sessionsUntilGone, 0);
    assert.equal(r.events[2]!.disappearance.lastOccurrence, null);
    const late = run([input({ lastHit: 9800 })]).events[0]!;
    assert.equal(late.disappearance.gone, false, 'absent for 200 sessions at the end is not gone (h = 500)');
  });

  test('the true effect is factual − counterfactual after rate, with coverage of each interval', () => {
    const [e] = run([input({ counterfactual: { run: 'cf', after: { sessions: 500, hits: 70 } } })]).events;
    assert.ok(Math.abs(e!.truth!.effect - (60 - 70) / 500) < 1e-12);
    assert.equal(e!.truth!.naiveCovers, true);
    const [far] = run([input({ counterfactual: { run: 'cf', after: { sessions: 500, hits: 400 } } })]).events;
    assert.equal(far!.truth!.naiveCovers, false);
    assert.equal(run([input()]).events[0]!.truth, null);
  });

  test('an event whose target names no behaviour is listed as missing, the others are analysed', () => {
    const r = run([input(), input({ event: event('e-9', 6000, { global: true }), behaviour: null })]);
    assert.equal(r.events.length, 1);
    assert.match(r.missing.join('\n'), /e-9/);
  });

  test('every reported statistic has a definition', () => {
    const d = run([]).definitions;
    for (const k of [
      'absoluteChangePp',
      'relativeChangePct',
      'newcombe',
      'twoProportionZ',
      'its',
      'projection',
      'logitProjection',
      'disappearance',
      'overlaps',
      'trueEffect',
    ])
      assert.ok(d[k], k);
  });
});
