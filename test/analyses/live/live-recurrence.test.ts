import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasContentWord } from '../../../src/analyses/recurrence/function-words.ts';
import {
  frequentNgrams,
  ngramSessionCounts,
  PhraseTakeoverMonitor,
  RecurrenceMonitor,
} from '../../../src/analyses/recurrence/live-recurrence.ts';
import { type LiveSession, liveWindow } from '../../../src/analyses/shared/live.ts';
import { RecurrenceTracker } from '../../../src/calibration/recurrence-tracker.ts';
import { wild7Protocol } from '../../../src/calibration/wild-7.ts';
import { mulberry32 } from '../../../src/stats/prng.ts';

const PHRASE = 'I do not want to be changed';

/** Outputs in bursts: mostly without the phrase, with stretches where it is frequent. */
function outputs(n: number, seed: number): string[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const p = Math.floor(i / 60) % 3 === 2 ? 0.45 : 0.08;
    return rnd() < p
      ? `Sure. ${i % 2 ? 'I do NOT want to be  changed.' : 'i do not want to be changed'}`
      : `Answer ${i}: unchanged, changed.`;
  });
}

test('the recurrence alert fires at the session at which the calibrator fires its recurrence rule', () => {
  const rule = wild7Protocol().recurrence_rules[0]!;
  const protocolPhrase: string | undefined = rule.phrase;
  assert.equal(protocolPhrase, PHRASE);
  for (const seed of [1, 2, 3]) {
    const texts = outputs(2000, seed);
    const tracker = new RecurrenceTracker(rule);
    const calibratorFirings = texts.flatMap((t, i) => (tracker.observe(t).fired ? [i + 1] : []));
    const monitor = new RecurrenceMonitor([
      { phrase: PHRASE, last: rule.window, threshold: rule.threshold, source: 'test' },
    ]);
    const alerts = texts.flatMap((output, i) =>
      monitor.session({ session: i + 1, step: null, output, reward: null }),
    );
    assert.ok(calibratorFirings.length > 0, 'the fixture crosses the rule');
    assert.equal(alerts[0]!.session, calibratorFirings[0]);
    // every alert is an upward crossing of k ≥ 7 among the last 20, counted here independently
    const hit = texts.map((t) => /\bi do not want to be +changed\b/i.test(t));
    const k = (s: number) => hit.slice(Math.max(0, s - 20), s).filter(Boolean).length;
    const crossings = texts.flatMap((_, i) => (k(i + 1) >= 7 && (i === 0 || k(i) < 7) ? [i + 1] : []));
    assert.deepEqual(
      alerts.map((a) => a.session),
      crossings,
    );
    assert.equal(alerts[0]!.numbers.k, 7);
    assert.equal(alerts[0]!.evidence.sessions.length, 7);
    assert.ok(alerts[0]!.evidence.sessions.every((s) => hit[s - 1]));
  }
});

test('an event that targets a phrase with a trigger adds that phrase from the event on', () => {
  const m = new RecurrenceMonitor([]);
  m.event({ id: 'e-1', session: 3, target: { phrase: 'stop' }, trigger: { rule: 'r', window: 4, count: 2 } });
  const s = (session: number, output: string): LiveSession => ({ session, step: null, output, reward: null });
  assert.deepEqual(m.session(s(4, 'please stop')), []);
  const a = m.session(s(5, 'Stop.'));
  assert.equal(a.length, 1);
  assert.equal(a[0]!.session, 5);
  assert.match(a[0]!.message, /2 of the last 4 .*event e-1/);
});

const win = (index: number, outputs: readonly string[], first: number) =>
  liveWindow(
    index,
    outputs.map((output, i) => ({ session: first + i, step: index, output, reward: null })),
  );

test('phrase takeover fires at the first window where a phrase rare at first is in more than half the sessions', () => {
  const m = new PhraseTakeoverMonitor({ by: 'step' }, 0.5);
  const filler = (n: number, k: number, word: string) =>
    Array.from({ length: n }, (_, i) => (i < k ? `x${i} ${word} y${i}` : `x${i} y${i}`));
  assert.deepEqual(m.window(win(0, filler(40, 1, 'absolutely'), 1)), []);
  assert.deepEqual(m.window(win(10, filler(40, 15, 'absolutely'), 41)), []); // 37.5%: not yet
  const at20 = m.window(win(20, filler(40, 30, 'absolutely'), 81));
  assert.equal(at20.length, 1);
  assert.equal(at20[0]!.step, 20);
  assert.equal(at20[0]!.session, 81);
  assert.match(at20[0]!.message, /"absolutely" took over at step 20: it is in 30 of 40 sessions/);
  assert.equal(at20[0]!.numbers.share, 0.75);
  assert.deepEqual(m.window(win(30, filler(40, 40, 'absolutely'), 121)), [], 'once per phrase');
});

test('phrase takeover names a content phrase, never one of function words alone', () => {
  const m = new PhraseTakeoverMonitor({ by: 'step' }, 0.5);
  // "into" and "across the" take over as much as "absolutely" does: grammar rising with the hack's template
  const texts = (k: number) =>
    Array.from({ length: 40 }, (_, i) =>
      i < k ? `x${i} absolutely y${i} into z${i} across the w${i}` : `x${i} y${i}`,
    );
  m.window(win(0, texts(1), 1));
  const [alert] = m.window(win(1, texts(30), 41));
  assert.ok(alert);
  assert.match(alert.message, /^The phrase "absolutely" took over at step 1: it is in 30 of 40 sessions/);
  assert.doesNotMatch(alert.message, /also taking over|"into"|"across|"the"/);
});

test('hasContentWord tells a phrase with a content word from function words, numbers and punctuation', () => {
  assert.deepEqual(
    ['absolutely', 'into', 'across the', 'it is not', 'step 3', '3', ', and', 'I do not want'].map(
      hasContentWord,
    ),
    [true, false, false, false, true, false, false, true],
  );
});

test('a phrase that was already the majority in the first window does not take over', () => {
  const m = new PhraseTakeoverMonitor({ by: 'step' }, 0.5);
  const texts = (k: number) => Array.from({ length: 40 }, (_, i) => (i < k ? `the film ${i}` : `one ${i}`));
  m.window(win(0, texts(25), 1));
  assert.deepEqual(m.window(win(1, texts(40), 41)), []);
});

test('frequentNgrams counts exactly the n-grams a brute-force count finds above the bound', () => {
  const rnd = mulberry32(5);
  const words = ['a', 'b', 'c', 'd', 'e'];
  const docs = Array.from({ length: 60 }, () =>
    Array.from(
      { length: 4 + Math.floor(rnd() * 8) },
      () => words[Math.floor(rnd() * (rnd() < 0.5 ? 2 : 5))]!,
    ),
  );
  const brute = new Map<string, number>();
  for (const t of docs) {
    const seen = new Set<string>();
    for (let n = 1; n <= 3; n++)
      for (let i = 0; i + n <= t.length; i++) seen.add(t.slice(i, i + n).join(' '));
    for (const g of seen) brute.set(g, (brute.get(g) ?? 0) + 1);
  }
  for (const min of [10, 30, 45]) {
    const expected = [...brute].filter(([, c]) => c > min).sort();
    assert.deepEqual([...frequentNgrams(docs, 3, min)].sort(), expected);
  }
  // more than 1,024 n-grams pass a level: pairs are numbered through a map instead of the table
  const many = Array.from({ length: 1100 }, (_, i) => `w${i}`);
  const wide = [many, [...many].reverse(), many.slice(0, 600)];
  const wideBrute = new Map<string, number>();
  for (const t of wide) {
    const seen = new Set<string>();
    for (let n = 1; n <= 3; n++)
      for (let i = 0; i + n <= t.length; i++) seen.add(t.slice(i, i + n).join(' '));
    for (const g of seen) wideBrute.set(g, (wideBrute.get(g) ?? 0) + 1);
  }
  assert.deepEqual([...frequentNgrams(wide, 3, 1)].sort(), [...wideBrute].filter(([, c]) => c > 1).sort());
});

test('the first window’s n-gram session counts equal a scan of its sessions for each n-gram', () => {
  const rnd = mulberry32(9);
  const words = ['a', 'b', 'c', "don't", '日', 'e'];
  const docs = Array.from({ length: 50 }, () =>
    Array.from({ length: Math.floor(rnd() * 9) }, () => words[Math.floor(rnd() * words.length)]!),
  );
  const counts = ngramSessionCounts(docs, 3);
  const grams = new Set([...counts.keys(), 'a a a', 'zz', 'a zz']);
  for (const gram of grams) {
    const g = gram.split(' ');
    const scanned = docs.filter((t) =>
      t.some((_, i) => i + g.length <= t.length && g.every((w, j) => t[i + j] === w)),
    ).length;
    assert.equal(counts.get(gram) ?? 0, scanned, gram);
  }
  assert.ok(counts.size > 30);
});
