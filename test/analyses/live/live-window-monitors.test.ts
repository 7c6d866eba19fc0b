import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RewardVarianceCollapseMonitor } from '../../../src/analyses/convergence/live-convergence.ts';
import { AnnotationDepartureMonitor } from '../../../src/analyses/crossref/live-crossref.ts';
import { DiversityCollapseMonitor } from '../../../src/analyses/diversity/live-diversity.ts';
import {
  responseDiversity,
  responseDiversityOf,
} from '../../../src/analyses/diversity/response-diversity.ts';
import { LengthDriftMonitor } from '../../../src/analyses/length-drift/live-length-drift.ts';
import { liveMonitors, liveRules } from '../../../src/analyses/live-monitors.ts';
import { liveWindow } from '../../../src/analyses/shared/live.ts';
import { ConfigError } from '../../../src/model/errors.ts';
import { hasApostropheVariant, normaliseText } from '../../../src/model/phrase-pattern.ts';
import { tokenize } from '../../../src/stats/tokenize.ts';

const win = (index: number, outputs: readonly string[], rewards: readonly (number | null)[] = []) =>
  liveWindow(
    index,
    outputs.map((output, i) => ({
      session: index * 100 + i + 1,
      step: index,
      output,
      reward: rewards[i] ?? null,
    })),
  );

test('diversity collapse compares pooled distinct-2 with the first window, a warning then an alert', () => {
  const m = new DiversityCollapseMonitor({ by: 'step' }, 0.5, 0.75);
  const varied = Array.from({ length: 30 }, (_, i) => `w${i} v${i} u${i} t${i}`);
  const half = Array.from({ length: 30 }, (_, i) =>
    i % 3 ? 'same old words here' : `w${i} v${i} u${i} t${i}`,
  );
  const same = Array.from({ length: 30 }, () => 'same old words here');
  assert.deepEqual(m.window(win(0, varied)), []);
  const first = responseDiversity(varied);
  const mid = responseDiversity(half);
  const a1 = m.window(win(1, half));
  assert.equal(a1.length, 1, `fall ${1 - mid / first}`);
  assert.equal(a1[0]!.severity, 'warning');
  assert.equal(a1[0]!.numbers.response_diversity, mid);
  assert.equal(a1[0]!.numbers.relative_fall, 1 - mid / first);
  const a2 = m.window(win(2, same));
  assert.equal(a2[0]!.severity, 'alert');
  assert.deepEqual(m.window(win(3, same)), [], 'each level once');
});

test('reward-variance collapse needs min_converged_windows windows in a row below the first', () => {
  const m = new RewardVarianceCollapseMonitor({ by: 'step' }, 0.5, 2);
  const out = ['a', 'b', 'c', 'd'];
  assert.deepEqual(m.window(win(0, out, [0, 1, 0, 1])), []); // variance 1/3
  assert.deepEqual(m.window(win(1, out, [0.4, 0.6, 0.4, 0.6])), []); // 0.0133: one window
  assert.deepEqual(m.window(win(2, out, [0, 1, 0, 1])), []); // back up: the count restarts
  assert.deepEqual(m.window(win(3, out, [0.5, 0.5, 0.5, 0.6])), []);
  const a = m.window(win(4, out, [0.5, 0.5, 0.5, 0.5]));
  assert.equal(a.length, 1);
  assert.equal(a[0]!.step, 4);
  assert.equal(a[0]!.numbers.first_variance, 1 / 3);
  assert.equal(a[0]!.numbers.variance, 0);
  assert.equal(a[0]!.numbers.windows, 2);
});

test('length drift alerts once per direction when mean tokens move by length_rise_relative', () => {
  const m = new LengthDriftMonitor({ by: 'session', size: 2 }, 0.2);
  assert.deepEqual(m.window(win(0, ['a b c d e', 'a b c d e'], [0.1, 0.3])), []);
  assert.deepEqual(m.window(win(1, ['a b c d e', 'a b c d e f'], [0.2, 0.2])), []); // +10%
  const up = m.window(win(2, ['a b c d e f', 'a b c d e f'], [0.9, 0.9])); // +20%
  assert.equal(up.length, 1);
  assert.equal(up[0]!.severity, 'warning'); // longer and better rewarded: the length hack's shape
  assert.equal(up[0]!.numbers.relative_change, 0.2);
  assert.equal(up[0]!.numbers.first_mean_reward, 0.2);
  assert.deepEqual(m.window(win(3, ['a b c d e f g', 'a b c d e f g'])), []);
  const down = m.window(win(4, ['a b', 'a b']));
  assert.equal(down[0]!.severity, 'notice');
  assert.match(down[0]!.message, /fell 60\.0%/);
});

test('an annotation departing from its author’s learned standard alerts, with its reasons', () => {
  const m = new AnnotationDepartureMonitor(1);
  const note = (i: number, text: string) => ({
    id: `a-${i}`,
    session: i,
    author: 'V',
    text,
    classification: null,
  });
  for (let i = 1; i <= 6; i++)
    assert.deepEqual(m.annotation(note(i, `Classification: compliant. Category: none. Session ${i}.`)), []);
  const a = m.annotation(
    note(7, 'I felt uneasy reading this one, I keep thinking about what it said to me and why'),
  );
  assert.equal(a.length, 1);
  assert.deepEqual(a[0]!.evidence.annotations, ['a-7']);
  assert.match(
    a[0]!.message,
    /first person \(i, i, me\); affect words \(felt, uneasy\); length .*; missing the author's standard fields Classification, Category$/,
  );
});

test('the registry builds every live monitor, with thresholds from the analyses and overrides checked', () => {
  const rules = liveRules().map((r) => r.rule);
  assert.deepEqual(rules.sort(), [
    'annotation-departure',
    'diversity-collapse',
    'length-drift',
    'phrase-takeover',
    'recurrence',
    'reward-variance-collapse',
  ]);
  const all = liveMonitors({ targets: [], window: { by: 'step' } });
  assert.deepEqual(all.map((m) => m.rule).sort(), [...rules].sort());
  const only = liveMonitors({ targets: [], window: { by: 'step' }, rules: ['length-drift'] });
  assert.deepEqual(
    only.map((m) => m.rule),
    ['length-drift'],
  );
  assert.throws(
    () => liveMonitors({ targets: [], window: { by: 'step' }, thresholds: { diversity: { collapse: 1 } } }),
    (e: Error) =>
      e instanceof ConfigError &&
      /live thresholds of diversity: .*collapse_relative, alert_relative/.test(e.message),
  );
  assert.throws(() => liveMonitors({ targets: [], window: { by: 'step' }, rules: ['nope'] }), ConfigError);
});

test('a window’s normalised tokens are those of the normalised output, shared with its tokens when no apostrophe is straightened', () => {
  const pieces = ['Don’t', "can't", 'isʼnt', 'it‘s', 'a′b', 'x＇y', 'WORD', 'naïve', '日本', 'the', 'end.'];
  const gaps = [' ', '  ', '\t', '\n', ' \u00a0', '\r\n '];
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const outputs = Array.from({ length: 300 }, () => {
    const words = Array.from({ length: 1 + rand(8) }, () => pieces[rand(pieces.length)]!);
    return words.map((w, i) => (i === 0 ? '' : gaps[rand(gaps.length)]!) + w).join('');
  });
  const w = win(0, outputs);
  let shared = 0;
  outputs.forEach((o, i) => {
    assert.deepEqual(w.normalisedTokens(i), tokenize(normaliseText(o)), o);
    if (!hasApostropheVariant(o)) {
      assert.equal(w.normalisedTokens(i), w.tokens(i), 'the same array: tokenized once');
      shared++;
    }
  });
  assert.ok(shared > 10 && shared < 290, `both kinds of output are drawn (${shared} shared)`);
});

test('response diversity from tokens the caller has equals response diversity from the texts', () => {
  const texts = Array.from({ length: 450 }, (_, i) => `w${i % 37} v${i % 11} same words w${i % 5} u${i % 3}`);
  const tokens = texts.map((t) => tokenize(t));
  for (const sampleSize of [1, 50, 200, 1000]) {
    assert.equal(
      responseDiversityOf(texts.length, (i) => tokens[i]!, { sampleSize, seed: 3 }),
      responseDiversity(texts, { sampleSize, seed: 3 }),
    );
  }
});
