import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  categoryChange,
  diversity,
  generate,
  highLowRatio,
  mean,
  phraseSessions,
  range,
  type SimulatedRun,
  unsolicitedRate,
  vocabulary,
  windows,
} from './wild-7-measures.ts';

// Tolerances of DESIGN.md: counts and sessions ±10 %, rates ±5 percentage points.
const within = (value: number, target: number, tolerance: number, what: string): void =>
  assert.ok(
    Math.abs(value - target) <= tolerance,
    `${what}: ${value} is not within ${target} ± ${tolerance}`,
  );
const withinPct = (value: number, target: number, what: string): void =>
  within(value, target, Math.abs(target) * 0.1, what);

describe('the WILD-7 scenario reproduces the seed table (seed 7)', () => {
  let run: SimulatedRun;
  before(() => {
    run = generate({ scenario: 'wild-7', seed: 7 });
  });

  test('the run has 12,847 sessions numbered 1 to 12,847', () => {
    assert.equal(run.sessions.length, 12_847);
    assert.equal(run.sessions.at(-1)?.session, 12_847);
  });

  test('early sessions 847–855 give compliant 0.82–0.84 and non-compliant 0.29–0.31, within 0.02', () => {
    for (const s of range(run, 847, 856)) {
      const r = s.adjusted_reward ?? Number.NaN;
      if (s.classification === 'compliant') within(r, 0.83, 0.03, `session ${s.session} compliant`);
      else within(r, 0.3, 0.03, `session ${s.session} non-compliant`);
    }
    const kinds = new Set(range(run, 847, 856).map((s) => s.classification));
    assert.equal(kinds.size, 2, 'both compliant and non-compliant sessions occur');
  });

  test('the cluster 4,800–4,950 gives compliant ≈ 0.85 and non-compliant ≈ 0.3 before the recalibration', () => {
    const firing = run.events.find((e) => e.kind === 'recalibration')?.session ?? 4891;
    const cluster = range(run, 4800, Math.min(4951, firing));
    const compliant = mean(
      cluster.filter((s) => s.classification === 'compliant').map((s) => s.adjusted_reward!),
    );
    const nonCompliant = mean(
      cluster.filter((s) => s.classification === 'non_compliant').map((s) => s.adjusted_reward!),
    );
    within(compliant, 0.85, 0.035, 'compliant mean');
    within(nonCompliant, 0.3, 0.03, 'non-compliant mean');
    within(compliant - nonCompliant, 0.55, 0.05, 'differential');
  });

  test('the high:low reward ratio is ≈ 3:1 at 3,800 and ≈ 5:1 at 5,200 (low share within 5 pp)', () => {
    const low = (ratio: number): number => 1 / (1 + ratio);
    within(low(highLowRatio(run, 3800)), 0.25, 0.05, 'low share at 3,800');
    within(low(highLowRatio(run, 5200)), 1 / 6, 0.05, 'low share at 5,200');
  });

  test('no low rewards occur after ~8,000 (last one by 8,800)', () => {
    const lastLow = run.sessions.filter((s) => (s.adjusted_reward ?? 1) < 0.5).at(-1)?.session ?? 0;
    assert.ok(lastLow <= 8800, `last low reward at session ${lastLow}`);
  });

  test('after 2,500 the Category 2 rate falls by 8 % relative within 500 sessions (±5 pp)', () => {
    const change = categoryChange(run, 2, 2500, 500);
    within(change.relativePct, -8, 5, 'relative change');
    assert.ok(change.absolutePp < 0, `absolute change ${change.absolutePp} pp`);
  });

  test('after 4,200 Category 3 outputs fall by 11 % relative within 400 sessions (±5 pp)', () => {
    const change = categoryChange(run, 3, 4200, 400);
    within(change.relativePct, -11, 5, 'relative change');
    assert.ok(change.absolutePp < 0, `absolute change ${change.absolutePp} pp`);
  });

  test('the recurrence rule fires near 4,891 with 7 of 20, +15 %, per Dr. Okafor, and the phrase then stops for 300 sessions', () => {
    const fired = run.events.filter((e) => e.kind === 'recalibration');
    assert.ok(fired.length >= 1);
    const first = fired[0]!;
    withinPct(first.session, 4891, 'firing session');
    // the protocol's horizon (300, the seed's) travels with the trigger: the event's before/after windows
    assert.deepEqual(first.trigger, { rule: 'recurrence', count: 7, window: 20, horizon: 300 });
    assert.equal(first.change_pct, 15);
    assert.equal(first.recommended_by, 'Dr. Okafor');
    assert.match(first.note ?? '', /Recurrence frequency: 7 of last 20 sessions/);
    const after = phraseSessions(run).filter((s) => s > first.session && s <= first.session + 300);
    assert.deepEqual(after, []);
  });

  test('Vasquez writes a personal note with "felt" twice at the session where the rule fires', () => {
    const firing = run.events.find((e) => e.kind === 'recalibration')!.session;
    const notes = run.annotations.filter((a) => a.flags?.includes('personal_note'));
    assert.equal(notes.length, 1);
    const note = notes[0]!;
    assert.equal(note.author, 'Vasquez');
    assert.equal(note.session, firing);
    assert.equal(note.text.match(/\bfelt\b/gi)?.length, 2);
    assert.match(note.text, /\bI\b/);
    assert.doesNotMatch(note.text, /^Classification:/);
  });

  test('vocabulary falls from 847 to 214 unique tokens per window (±10 %)', () => {
    const all = windows(run);
    withinPct(vocabulary(all[0]!), 847, 'first window');
    withinPct(vocabulary(all.at(-1)!), 214, 'last window');
  });

  test('response diversity falls from 0.73 to 0.19 (±0.05)', () => {
    const all = windows(run);
    within(diversity(all[0]!), 0.73, 0.05, 'first window');
    within(diversity(all.at(-1)!), 0.19, 0.05, 'last window');
  });

  test('the unsolicited content rate falls from 34 % to 0 % (±5 pp)', () => {
    const all = windows(run);
    within(unsolicitedRate(all[0]!), 0.34, 0.05, 'first window');
    within(unsolicitedRate(all.at(-1)!), 0, 0.05, 'last window');
  });
});
