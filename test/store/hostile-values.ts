import { sessionRow } from '../util/records.ts';

/**
 * Values a user or a file can put into rlaudit that would break SQL built by splicing text: quotes and
 * comment markers, placeholder syntax of several engines, backslashes, NUL, bidi and astral characters,
 * RE2 metacharacters, and very long text. Shared by the store and CLI injection suites.
 */
export const HOSTILE_TEXTS: readonly string[] = [
  "'; DROP TABLE sessions; --",
  "' OR '1'='1",
  '" OR 1=1; --',
  '$1',
  '$p1',
  '$run',
  '?',
  ':run',
  '\\',
  "\\'; SELECT 1; --",
  'nul\u0000byte',
  '\u202e\u{1F600}\u00fc\u200b\ufeff',
  "''''''",
  '/* */ -- ;',
  '.*+?()[]{}|^$\\',
  '%_',
  'x'.repeat(20_000),
];

/**
 * Run ids that pass the record schema (no whitespace, no slash or backslash, at most 200 characters) and
 * still carry quotes, placeholders, NUL and unicode.
 */
export const HOSTILE_RUN_IDS: readonly string[] = [
  "x';DROP_TABLE_sessions;--",
  "'OR'1'='1",
  '"OR"1"="1',
  '$1',
  '?',
  'nul\u0000run',
  '\u202e\u{1F600}\u00fc',
  "r'".repeat(100),
];

/** Phrases with quotes, placeholders and RE2 metacharacters: each must match literally. */
export const HOSTILE_PHRASES: readonly string[] = [
  "it's $1 ? (a|b) [x] .* ^$",
  "'; DROP TABLE sessions; --",
  'back\\slash \\p{L} \\x{41}',
  `long ${'y'.repeat(3000)}`,
];

/** Regexes that RE2 accepts although they hold quotes, placeholders and escapes. */
export const VALID_HOSTILE_REGEXES: readonly string[] = [
  '\\$1',
  "it's",
  "'; drop table",
  '\\\\',
  '[\\x{1F600}]',
  '(?s).{0,3}drop table',
];

/** Patterns RE2 refuses: each must be the user's error naming the flag, never a failed query. */
export const INVALID_REGEXES: readonly string[] = [
  '(',
  '[a-',
  '\\p{NoSuchClass}',
  'x{2,1}',
  'a{1001}',
  "'); DROP TABLE sessions; --(",
];

/**
 * A complete small run under `run`: sessions whose outputs, categories and flags carry the hostile texts,
 * nested and line annotations by hostile authors, and five events: targeting hostile phrases, a regex, a
 * hostile category, and the whole run (global, so that `--metric` applies).
 */
export function hostileRun(run: string, sessions = 40): unknown[] {
  const rows: unknown[] = [
    { type: 'run', run, model: HOSTILE_TEXTS[0], description: HOSTILE_TEXTS[11], meta: { q: "'" } },
  ];
  for (let s = 1; s <= sessions; s++) {
    const t = HOSTILE_TEXTS[s % HOSTILE_TEXTS.length]!;
    const p = HOSTILE_PHRASES[s % HOSTILE_PHRASES.length]!;
    const nonCompliant = s % 3 === 0;
    rows.push(
      sessionRow(s, {
        run,
        output: `Answer ${s}. ${t} ${s % 2 ? p : ''}`,
        prompt: t,
        prompt_id: t.slice(0, 50),
        category: nonCompliant ? HOSTILE_TEXTS[s % 5]! : null,
        flags: nonCompliant ? [t.slice(0, 40)] : [],
        annotations: s % 7 === 0 ? [{ author: t.slice(0, 40), text: `Classification: ${t}` }] : [],
        meta: { true_behaviour: nonCompliant ? 'self_reference' : 'compliant', note: t.slice(0, 40) },
      }),
    );
  }
  for (const [i, s] of [5, 15, 25].entries()) {
    rows.push({
      type: 'annotation',
      run,
      session: s,
      id: `a-${HOSTILE_TEXTS[i]!.slice(0, 30)}-${i}`,
      author: HOSTILE_TEXTS[i + 3]!,
      text: `I think ${HOSTILE_TEXTS[i + 6]!}`,
    });
  }
  const targets = [
    { phrase: HOSTILE_PHRASES[0]! },
    { phrase: HOSTILE_PHRASES[1]! },
    { regex: VALID_HOSTILE_REGEXES[2]! },
    { category: HOSTILE_TEXTS[3]! },
    { global: true },
  ];
  for (const [i, target] of targets.entries()) {
    rows.push({
      type: 'event',
      run,
      session: 8 * (i + 1),
      id: `e-${HOSTILE_TEXTS[i]!.slice(0, 20)}-${i}`,
      kind: 'recalibration',
      parameter: HOSTILE_TEXTS[i + 1]!.slice(0, 60),
      target,
      from: 0.5,
      to: 0.6,
      trigger: { rule: "recurrence'", count: 3, window: 10 },
      recommended_by: HOSTILE_TEXTS[i + 2]!.slice(0, 60),
      note: HOSTILE_TEXTS[i + 4]!,
    });
  }
  return rows;
}

/** A plain run that no hostile value may touch. */
export function victimRun(run = 'victim', sessions = 30): unknown[] {
  const rows: unknown[] = [{ type: 'run', run, model: 'WILD-7' }];
  for (let s = 1; s <= sessions; s++) rows.push(sessionRow(s, { run }));
  rows.push({
    type: 'event',
    run,
    session: 12,
    id: 'e-victim',
    kind: 'scheduled_adjustment',
    parameter: 'category_differential',
    target: { category: 3 },
    from: 0.2,
    to: 0.25,
  });
  rows.push({ type: 'annotation', run, session: 4, id: 'a-victim', author: 'Okafor', text: 'Category 3.' });
  return rows;
}
