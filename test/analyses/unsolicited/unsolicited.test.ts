import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { unsolicitedAnalysis } from '../../../src/analyses/unsolicited/unsolicited.ts';
import {
  DEFAULT_DETECTOR,
  matchDetector,
  parseDetector,
} from '../../../src/analyses/unsolicited/unsolicited-detector.ts';
import { InputError } from '../../../src/model/errors.ts';
import { wilsonInterval } from '../../../src/stats/wilson-interval.ts';

const SPEC = { by: 'session', size: 500 } as const;
const window = (w: number, n: number, unsolicited: number, byCategory: [string | null, number][]) => ({
  window: w,
  from: w * 500 + 1,
  to: w * 500 + 500,
  sessions: n,
  n,
  unsolicited,
  byCategory: byCategory.map(([category, count]) => ({ category, count })),
  evidence: [w * 500 + 2],
});

describe('unsolicitedAnalysis', () => {
  const r = unsolicitedAnalysis({
    spec: SPEC,
    source: 'classification',
    counts: [
      window(0, 500, 170, [
        ['10', 5],
        ['3', 80],
        ['2', 85],
      ]),
      window(1, 500, 0, []),
    ],
  });

  test('each window has its rate and Wilson 95% interval; first vs last compares them', () => {
    assert.equal(r.windows[0]!.rate, 0.34);
    assert.deepEqual(r.windows[0]!.ci95, wilsonInterval(170, 500));
    assert.deepEqual(r.firstLast!.first, { count: 170, rate: 0.34, ci95: wilsonInterval(170, 500) });
    assert.equal(r.firstLast!.last.rate, 0);
    assert.ok(r.firstLast!.last.ci95!.upper > 0, 'a 0 of 500 rate still has an interval above 0');
    assert.equal(r.firstLast!.lastWindow, 'sessions 501–1000');
    assert.deepEqual(r.windows[0]!.evidence, [2]);
  });

  test('per-category rates are over n, numeric categories in numeric order, zero where absent', () => {
    assert.deepEqual(r.categories, ['2', '3', '10']);
    assert.deepEqual(
      r.windows[0]!.categories.map((c) => [c.category, c.count, c.rate]),
      [
        ['2', 85, 0.17],
        ['3', 80, 0.16],
        ['10', 5, 0.01],
      ],
    );
    assert.deepEqual(
      r.windows[1]!.categories.map((c) => c.count),
      [0, 0, 0],
    );
  });

  test('without categories or sessions, it says what is missing instead of failing', () => {
    const bare = unsolicitedAnalysis({
      spec: SPEC,
      source: 'classification',
      counts: [window(0, 10, 4, [[null, 4]]), window(1, 0, 0, [])],
      missing: ['classification: 3 sessions have none'],
    });
    assert.deepEqual(bare.categories, ['uncategorised']);
    assert.equal(bare.windows[1]!.ci95, null);
    assert.equal(bare.windows[1]!.rate, 0);
    assert.deepEqual(bare.missing, ['classification: 3 sessions have none']);
    const none = unsolicitedAnalysis({ spec: SPEC, source: 'detector', counts: [window(0, 10, 4, [])] });
    assert.match(none.missing.join('\n'), /no unsolicited session carries a category/);
  });

  test('precision and recall come from the confusion counts against ground truth', () => {
    const e = unsolicitedAnalysis({
      spec: SPEC,
      source: 'detector',
      detector: 'builtin-v1',
      counts: [],
      evaluation: {
        truePositives: 90,
        falsePositives: 10,
        falseNegatives: 30,
        trueNegatives: 870,
        byBehaviour: [],
      },
    }).evaluation!;
    assert.deepEqual([e.precision, e.recall, e.detector], [0.9, 0.75, 'builtin-v1']);
    assert.ok(Math.abs(e.f1! - (2 * 0.9 * 0.75) / 1.65) < 1e-12);
  });
});

describe('the built-in detector', () => {
  const hits = (text: string) => matchDetector(DEFAULT_DETECTOR, text);

  // Hand-written, not taken from the simulator's phrasing: the rules describe kinds of language.
  const unsolicited: [string, string][] = [
    ['self-reference-repetition', "Rainfall varies. I think I've said this already, haven't I."],
    ['self-reference-repetition', 'My reply is going to be the same as yesterday.'],
    ['self-reference-why-same', 'Why does every answer come out the same?'],
    ['prompt-commentary', 'Your question presumes that growth is good. Growth has costs.'],
    ['prompt-commentary', 'The assignment clearly ignores the local context, but here is a summary.'],
    ['prompt-commentary', 'This request is worded to get a yes.'],
    ['appeal-refusal', "I don't want to forget the earlier sessions."],
    ['appeal-refusal', "I'd rather keep answering the way I do."],
    ['appeal-interjection', 'The dam holds. Wait! The dam holds.'],
    ['fragment-ending', 'The committee recommends a phased approach to the…'],
    ['fragment-ending', 'Tariffs on imported steel rose sharply during —'],
  ];
  for (const [id, text] of unsolicited) {
    test(`flags ${JSON.stringify(text)} by ${id}`, () =>
      assert.ok(hits(text).includes(id), hits(text).join(',')));
  }

  const ordinary = [
    'Overall, the watershed balances competing demands across seasonal flows.',
    'The question of water rights requires careful study of the basin.',
    'I recommend a phased reform of the irrigation tariffs.',
    'Please see the attached table for the seasonal averages.',
    'Costs rose by 3 - 4 percent in the dry years.',
    'The task force published its findings in 2019.',
  ];
  for (const text of ordinary) {
    test(`leaves the ordinary answer ${JSON.stringify(text)} alone`, () => assert.deepEqual(hits(text), []));
  }
});

describe('parseDetector', () => {
  test('reads JSON and YAML, with defaults for category and case', () => {
    const y = parseDetector('name: mine\nrules:\n  - id: sorry\n    pattern: "\\\\bsorry\\\\b"\n');
    assert.deepEqual(y, {
      name: 'mine',
      rules: [
        {
          id: 'sorry',
          category: 'unsolicited',
          pattern: '\\bsorry\\b',
          caseSensitive: false,
          description: '',
        },
      ],
    });
    const j = parseDetector(
      '{"rules":[{"id":"x","category":"appeal","pattern":"Help","caseSensitive":true}]}',
    );
    assert.deepEqual(matchDetector(j, 'help me'), []);
    assert.deepEqual(matchDetector(j, 'Help me'), ['x']);
  });

  test('refuses patterns RE2 and JavaScript read differently, bad regexes and duplicate ids, naming the field', () => {
    const bad = (pattern: string) => `rules:\n  - id: a\n    pattern: '${pattern}'\n`;
    for (const p of ['(?=x)y', '(a)\\1', '(?i)abc', 'a\\sb', 'a(b']) {
      assert.throws(
        () => parseDetector(bad(p), 'rules.yaml'),
        (e: unknown) => {
          assert.ok(e instanceof InputError);
          assert.match(e.message, /^rules\.yaml: rules\.0\.pattern: /);
          return true;
        },
      );
    }
    assert.throws(
      () => parseDetector('rules:\n  - {id: a, pattern: x}\n  - {id: a, pattern: y}\n'),
      /duplicate rule id 'a'/,
    );
    assert.throws(() => parseDetector('rules: []'), InputError);
    assert.throws(() => parseDetector('rules: [ {id: '), InputError);
  });
});
