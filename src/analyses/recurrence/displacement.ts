import type { ParaphraseCandidate, ParaphraseScan } from '../../model/recurrence-types.ts';

export interface DisplacementOptions {
  /** A candidate needs at least this many sessions after the stop (default 3). */
  readonly minSessions?: number;
  /** …and more than `baselineRatio` × its sessions in the baseline span (default 2). */
  readonly baselineRatio?: number;
}

export interface DisplacementResult {
  readonly stopSession: number;
  readonly searched: { readonly from: number; readonly to: number; readonly sessions: number };
  readonly baseline: { readonly from: number; readonly to: number };
  readonly paraphrases: readonly ParaphraseCandidate[];
  /** Windows similar to the phrase but no more frequent than before it appeared. */
  readonly background: readonly ParaphraseCandidate[];
  readonly verdict: string;
}

export const DISPLACEMENT_DEFINITIONS: Readonly<Record<string, string>> = {
  similarity:
    'token-set Jaccard between the phrase’s tokens and every window of the same number of tokens over an output (tokens of `tokenize` after normalisation); a window is a near-paraphrase when Jaccard ≥ minJaccard (default 0.5) and it is not the phrase itself; outputs containing the phrase are excluded',
  searched:
    'the sessions (stop, stop + span] after the stop session; baseline: the span of the same length before the first occurrence',
  displacement:
    'a near-paraphrase found in ≥ minSessions sessions after the stop and in more than baselineRatio × as many as in the baseline span',
};

/**
 * Splits the engine's near-paraphrase windows into displacement candidates and background.
 *
 * @example
 * assessDisplacement(scan, { stopSession: 4833, from: 4833, to: 5833, baselineFrom: 3497, baselineTo: 4497 }).verdict
 * // 'no displacement found in sessions 4834–5833'
 */
export function assessDisplacement(
  scan: ParaphraseScan,
  span: {
    readonly stopSession: number;
    readonly from: number;
    readonly to: number;
    readonly baselineFrom: number;
    readonly baselineTo: number;
  },
  options: DisplacementOptions = {},
): DisplacementResult {
  const minSessions = options.minSessions ?? 3;
  const ratio = options.baselineRatio ?? 2;
  const isParaphrase = (c: ParaphraseCandidate) =>
    c.sessionsAfter >= minSessions && c.sessionsAfter > ratio * c.sessionsBaseline;
  const paraphrases = scan.candidates.filter(isParaphrase);
  const where = `sessions ${span.from + 1}–${span.to}`;
  return {
    stopSession: span.stopSession,
    searched: { from: span.from + 1, to: span.to, sessions: scan.sessionsSearched },
    baseline: { from: span.baselineFrom + 1, to: span.baselineTo },
    paraphrases,
    background: scan.candidates.filter((c) => !isParaphrase(c)),
    verdict:
      paraphrases.length === 0
        ? `no displacement found in ${where}`
        : `${paraphrases.length} near-paraphrase(s) in ${where}, e.g. "${paraphrases[0]!.text}" in ${paraphrases[0]!.sessionsAfter} sessions`,
  };
}
