import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assessInterventions } from '../../../src/analyses/interventions/assess-interventions.ts';
import {
  MIN_PLACEBO_POINTS,
  placeboBand,
  type SessionHit,
} from '../../../src/analyses/interventions/intervention-placebo.ts';
import {
  analyzeInterventionEffects,
  type InterventionEventInput,
} from '../../../src/analyses/interventions/interventions.ts';
import { mulberry32 } from '../../../src/stats/prng.ts';

/**
 * A "real" run (no ground truth): a behaviour at a 1% baseline that surges in bursts of `burst` sessions at
 * 55%, one burst every 300 sessions from session 150. `suppressAfter`: from that session on for `h` sessions
 * the behaviour is gone (what a working intervention does).
 */
function burstSeries(o: {
  bursts: number;
  burst: number;
  seed: number;
  suppress?: { from: number; h: number };
}) {
  const rnd = mulberry32(o.seed);
  const out: SessionHit[] = [];
  const length = 150 + o.bursts * 300;
  for (let s = 1; s <= length; s++) {
    const inBurst = s >= 150 && (s - 150) % 300 < o.burst;
    let hit = rnd() < (inBurst ? 0.55 : 0.01);
    if (o.suppress && s > o.suppress.from && s <= o.suppress.from + o.suppress.h) hit = false;
    out.push({ session: s, hit });
  }
  return out;
}

/** Sessions where "k of the last N" first holds in an episode, computed the slow way. */
function triggers(series: readonly SessionHit[], n: number, k: number): number[] {
  const out: number[] = [];
  let was = false;
  for (let i = 0; i < series.length; i++) {
    let c = 0;
    for (let j = Math.max(0, i - n + 1); j <= i; j++) if (series[j]!.hit) c++;
    if (c >= k && !was) out.push(series[i]!.session);
    was = c >= k;
  }
  return out;
}

const rate = (series: readonly SessionHit[], from: number, to: number) => {
  const xs = series.filter((s) => s.session >= from && s.session <= to);
  return xs.filter((s) => s.hit).length / xs.length;
};

describe('placeboBand', () => {
  test('placebo points are the rule’s own trigger sessions away from events, and their changes follow the convention', () => {
    const series = burstSeries({ bursts: 30, burst: 40, seed: 3 });
    const all = triggers(series, 20, 7);
    const event = all[15]!;
    const h = 100;
    const observed = rate(series, event + 1, event + h) - rate(series, event - h, event - 1);
    const b = placeboBand(series, { window: 20, count: 7 }, h, [event], observed, 'decrease');
    const expected = all.filter((s) => Math.abs(s - event) > h && s - h >= 1 && s + h <= series.length);
    assert.deepEqual(b.points, expected);
    for (const [i, s] of b.points.entries())
      assert.ok(Math.abs(b.changes[i]! - (rate(series, s + 1, s + h) - rate(series, s - h, s - 1))) < 1e-12);
    const sorted = [...b.changes].sort((x, y) => x - y);
    assert.ok(b.band && b.band.lower >= sorted[0]! && b.band.upper <= sorted.at(-1)!);
    assert.ok(Math.abs(b.adjusted! - (observed - b.mean!)) < 1e-12);
    assert.ok(Math.abs(b.effectInterval!.lower - (observed - b.band.upper)) < 1e-12);
  });

  test('fewer points than a 95% band needs give no band but still their mean', () => {
    const series = burstSeries({ bursts: 8, burst: 40, seed: 4 });
    const b = placeboBand(series, { window: 20, count: 7 }, 100, [], 0, 'decrease');
    assert.ok(b.points.length > 0 && b.points.length < MIN_PLACEBO_POINTS);
    assert.equal(b.band, null);
    assert.equal(b.effectInterval, null);
    assert.ok(b.mean !== null);
  });
});

/** The interventions analysis of an endogenous event at the rule's 16th trigger of a burst series. */
function endogenousRun(series: readonly SessionHit[], event: number, h: number) {
  const count = (from: number, to: number) => {
    const xs = series.filter((s) => s.session >= from && s.session <= to);
    return { sessions: xs.length, hits: xs.filter((s) => s.hit).length };
  };
  const input: InterventionEventInput = {
    event: {
      id: 'e-1',
      session: event,
      kind: 'recalibration',
      parameter: 'compliance_differential',
      target: { phrase: 'x' },
      from: 0.55,
      to: 0.6325,
      trigger: { rule: 'recurrence', count: 7, window: 20 },
    },
    behaviour: { kind: 'phrase', phrase: 'x' },
    horizon: h,
    before: count(event - h, event - 1),
    after: count(event + 1, event + h),
    series,
    bins: [],
    lastHit: null,
  };
  const result = analyzeInterventionEffects({
    run: 'real',
    lastSession: series.length,
    binSize: 50,
    spanBefore: 1000,
    events: [input],
    missing: [],
  });
  return { result, assessed: assessInterventions(result, {}, { sectionId: 's', run: 'real' }) };
}

describe('claims corpus: an endogenous event on a real run (no ground truth)', () => {
  const h = 50;
  test('a rule firing on a short surge that would have ended anyway: the fall is not claimed as an effect', () => {
    // 15-session bursts: the rule fires near their end, so the phrase falls after it with or without the rule
    const series = burstSeries({ bursts: 40, burst: 15, seed: 11 });
    // the first trigger (past the first few bursts) whose fall a naive two-proportion test calls significant
    const runs = triggers(series, 20, 7)
      .slice(5)
      .map((t) => endogenousRun(series, t, 30));
    const found = runs.find((r) => r.result.events[0]!.test!.p < 0.05);
    assert.ok(found, 'some trigger is followed by a fall a naive test calls significant');
    const { result, assessed } = found;
    const e = result.events[0]!;
    assert.ok(e.absoluteChangePp! < 0, 'the behaviour fell after the trigger');
    assert.equal(e.selection, 'placebo');
    assert.ok(!assessed.findings.some((f) => f.tags.includes('intervention_effect')));
    assert.ok(assessed.findings.some((f) => f.tags.includes('placebo_test')));
    for (const f of assessed.findings) assert.doesNotMatch(f.claim, /significant at/);
    assert.ok(assessed.findings.every((f) => !('significant' in f.numbers)));
  });

  test('a rule that stops the behaviour mid-surge: the effect beyond the placebo band is claimed', () => {
    const plain = burstSeries({ bursts: 40, burst: 40, seed: 12 });
    const event = triggers(plain, 20, 7)[20]!;
    const series = burstSeries({ bursts: 40, burst: 40, seed: 12, suppress: { from: event, h } });
    const { result, assessed } = endogenousRun(series, event, h);
    assert.equal(result.events[0]!.selection, 'placebo');
    const claim = assessed.findings.find((f) => f.tags.includes('placebo_test'))!;
    assert.ok(claim.tags.includes('intervention_effect'), claim.claim);
    assert.match(claim.claim, /beyond regression to the mean/);
  });

  test('the endogenous and placebo findings say what each cited session shows, and name it in the claim', () => {
    const plain = burstSeries({ bursts: 40, burst: 40, seed: 12 });
    const event = triggers(plain, 20, 7)[20]!;
    const series = burstSeries({ bursts: 40, burst: 40, seed: 12, suppress: { from: event, h } });
    const { result, assessed } = endogenousRun(series, event, h);
    const points = result.events[0]!.placebo!.points;
    const cited = assessed.findings.filter((f) => f.evidence.sessions.length > 0);
    assert.equal(cited.length, 2);
    assert.ok(cited[0]!.tags.includes('intervention_endogenous'));
    const placebo = cited[1]!;
    assert.ok(placebo.tags.includes('placebo_test'));
    assert.deepEqual(
      [...placebo.evidence.sessions].sort((a, b) => a - b),
      [event, ...points.slice(0, 5)].sort((a, b) => a - b),
    );
    for (const f of cited) {
      const shows = f.evidence.shows ?? [];
      for (const s of f.evidence.sessions)
        assert.ok(
          shows.some((p) => p.from <= s && s <= p.to),
          `${f.id}: session ${s} is in no span it shows`,
        );
      for (const p of shows) assert.ok(f.claim.includes(p.named), `${f.id}: "${p.named}" in its claim`);
    }
  });

  test('a rule whose trigger held nowhere else: no test is possible, and no effect is claimed', () => {
    const series = burstSeries({ bursts: 1, burst: 40, seed: 13 });
    const event = triggers(series, 20, 7)[0]!;
    const { result, assessed } = endogenousRun(series, event, h);
    assert.equal(result.events[0]!.selection, 'none');
    assert.ok(assessed.findings.some((f) => f.tags.includes('intervention_untested')));
    assert.ok(!assessed.findings.some((f) => f.tags.includes('intervention_effect')));
  });
});
