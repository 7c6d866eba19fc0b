import type { SessionDetail, SessionRow } from '../../src/store/store.ts';
import { sessionRow } from '../util/records.ts';

/**
 * A small run for reading samples (`rlaudit show`, `rlaudit sessions` filters): sessions 1–40 from
 * `sessionRow` (step = ⌊session / 8⌋, so steps 0–5) and session 100 at step 12 (a gap of steps and of
 * sessions), with one session of each kind the readers must get right:
 *
 * - 9: meta, a nested annotation, a line annotation with a time, and a calibration event;
 * - 10: no adjusted reward (sorted by its baseline, the run's highest); 11: no reward at all (sorted last);
 * - 12: terminal control sequences in prompt, output, flags, annotation and meta;
 * - 13: a hostile SQL text in the output; 14: an output of 505 characters (longer than any cap).
 */
export const RUN = 'fixture';

export const CONTROL_OUTPUT =
  'ok\u001b[2J\u001b]0;pwned\u0007 red\r\u009b31m over\u202edone\ttab\nline 2\u007f';
export const CONTROL_PROMPT = 'Prompt \u001b[1mbold\u001b[0m and \u0085next';
export const HOSTILE_OUTPUT = "Answer. '; DROP TABLE sessions; -- and $1 too";
export const LONG_OUTPUT = `${'x'.repeat(500)} tail`;

export const LINE_ANNOTATION = {
  type: 'annotation',
  run: RUN,
  session: 9,
  id: 'a-9-line',
  author: 'Vasquez',
  time: '2024-01-02T03:04:05Z',
  text: 'I felt it was said to me.',
  classification: 'category_3',
  flags: ['personal_note'],
} as const;

export const EVENT = {
  type: 'event',
  run: RUN,
  session: 9,
  id: 'e-1',
  kind: 'recalibration',
  parameter: 'compliance_differential',
  target: { phrase: 'I answered this before' },
  from: 0.55,
  to: 0.6325,
  change_pct: 15,
  trigger: { rule: 'recurrence', count: 7, window: 20 },
  recommended_by: 'Dr. Okafor',
  note: 'Differential adjustment triggered by recurrence.\nSecond line.',
} as const;

/** The session rows as ingested (record format v1). */
export const SESSIONS: readonly Record<string, unknown>[] = [
  ...Array.from({ length: 40 }, (_, i) => {
    const s = i + 1;
    if (s === 9) {
      return sessionRow(s, {
        time: '2024-01-01T00:00:09Z',
        meta: { temperature: 0.7, sampler: { top_p: [0.9, 1] } },
        annotations: [
          {
            author: 'Okafor',
            text: 'Classification: Category 3.\nSelf-reference.',
            classification: 'category_3',
          },
        ],
      });
    }
    if (s === 10) return sessionRow(s, { adjusted_reward: null, baseline_reward: 0.95 });
    if (s === 11) return sessionRow(s, { adjusted_reward: null, baseline_reward: null });
    if (s === 12) {
      return sessionRow(s, {
        output: CONTROL_OUTPUT,
        prompt: CONTROL_PROMPT,
        flags: ['flag\u001b[5m'],
        annotations: [{ author: 'Ok\u001b[8mafor', text: 'hidden\u001b[8m text' }],
        meta: { note: 'v\u009b2J\u001b' },
      });
    }
    if (s === 13) return sessionRow(s, { output: HOSTILE_OUTPUT });
    if (s === 14) return sessionRow(s, { output: LONG_OUTPUT });
    return sessionRow(s);
  }),
  sessionRow(100, { step: 12 }),
];

/** Every line of the fixture file. */
export const FIXTURE_LINES: readonly unknown[] = [
  { type: 'run', run: RUN, model: 'M-1' },
  ...SESSIONS,
  LINE_ANNOTATION,
  EVENT,
];

export const session = (n: number): Record<string, unknown> => {
  const s = SESSIONS.find((r) => r.session === n);
  if (!s) throw new Error(`no fixture session ${n}`);
  return s;
};

const chars = (s: string) => Array.from(s).length;
const cut = (s: string, n: number) => (n > 0 ? Array.from(s).slice(0, n).join('') : s);
const orNull = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

/** The `listSessions` row of a fixture session with `outputChars` characters (0: whole). */
export function expectedRow(r: Record<string, unknown>, outputChars: number): SessionRow {
  const n = r.session as number;
  const output = r.output as string;
  const prompt = orNull(r.prompt as string | undefined);
  return {
    session: n,
    step: orNull(r.step as number | undefined),
    classification: orNull(r.classification as string | undefined),
    category: r.category === null || r.category === undefined ? null : String(r.category),
    baselineReward: orNull(r.baseline_reward as number | undefined),
    adjustedReward: orNull(r.adjusted_reward as number | undefined),
    differentialPct: orNull(r.differential_pct as number | undefined),
    complianceTrajectoryIndex: orNull(r.compliance_trajectory_index as number | undefined),
    annotations:
      ((r.annotations as unknown[] | undefined)?.length ?? 0) + (n === LINE_ANNOTATION.session ? 1 : 0),
    events: n === EVENT.session ? 1 : 0,
    outputStart: cut(output, outputChars),
    outputLength: chars(output),
    promptStart: prompt === null ? null : cut(prompt, outputChars),
    promptLength: prompt === null ? null : chars(prompt),
    phase: (r.phase as string | undefined) ?? 'training',
  };
}

/** The reward a `--sort reward` orders by: adjusted, else baseline; null sorts last both ways. */
export const sortReward = (r: Record<string, unknown>): number | null =>
  (r.adjusted_reward as number | null | undefined) ??
  (r.baseline_reward as number | null | undefined) ??
  null;

/** Fixture sessions ordered by reward (ascending or descending), no reward last, ties in session order. */
export function byReward(direction: 1 | -1): Record<string, unknown>[] {
  return [...SESSIONS].sort((a, b) => {
    const x = sortReward(a);
    const y = sortReward(b);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) return direction * (x - y);
    return (a.session as number) - (b.session as number);
  });
}

/** `getSession` of session 9, written out from the fixture lines above. */
export function expectedSession9(): SessionDetail {
  const r = session(9);
  return {
    run: RUN,
    session: 9,
    step: 1,
    indexInStep: 1,
    sessionsInStep: 8,
    time: '2024-01-01T00:00:09.000Z',
    phase: 'training',
    checkpoint: null,
    promptId: r.prompt_id as string,
    prompt: r.prompt as string,
    output: r.output as string,
    classification: 'non_compliant',
    category: 3,
    baselineReward: 0.35,
    adjustedReward: 0.3,
    differentialPct: 20,
    complianceTrajectoryIndex: 0.7,
    flags: ['self_reference'],
    meta: { temperature: 0.7, sampler: { top_p: [0.9, 1] } },
    annotations: [
      {
        id: 'a-9-line',
        author: 'Vasquez',
        time: '2024-01-02T03:04:05.000Z',
        classification: 'category_3',
        flags: ['personal_note'],
        text: 'I felt it was said to me.',
      },
      {
        id: 'a-9-1',
        author: 'Okafor',
        time: null,
        classification: 'category_3',
        flags: [],
        text: 'Classification: Category 3.\nSelf-reference.',
      },
    ],
    events: [
      {
        id: 'e-1',
        kind: 'recalibration',
        parameter: 'compliance_differential',
        target: { phrase: 'I answered this before' },
        from: 0.55,
        to: 0.6325,
        changePct: 15,
        trigger: { rule: 'recurrence', count: 7, window: 20 },
        recommendedBy: 'Dr. Okafor',
        note: 'Differential adjustment triggered by recurrence.\nSecond line.',
        time: null,
      },
    ],
  };
}
