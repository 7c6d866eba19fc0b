import { z } from 'zod';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { listOf, nullableText, number, numberOrZero, text } from '../decode.ts';

/**
 * Tokens and bigrams of a window. `w` is BIGINT (`//` of BIGINT, or the step); `sum`s are HUGEINT. The
 * filtered sums and averages are NULL when no row passes their filter (never, since every window has outputs): 0.
 */
export const TextWindowRow = rowDecoder(
  'textWindowCounts',
  z.object({
    w: number,
    first: number,
    last: number,
    sessions: number,
    empty: number,
    tokens: numberOrZero,
    bigrams: numberOrZero,
    d1: numberOrZero,
    d2: numberOrZero,
    unique_tokens: numberOrZero,
    unique_bigrams: numberOrZero,
  }),
);

/** A window and its number of sessions. */
export const WindowSizeRow = rowDecoder('textWindowCounts.windows', z.object({ w: number, n: number }));

/** A picked output; `rank` is `row_number() - 1` (BIGINT). */
export const SampledOutputRow = rowDecoder(
  'sampleOutputs',
  z.object({ w: number, rank: number, session: number, output: text }),
);

/**
 * Classification counts of a window. `by_category` is a LIST of STRUCT(category, count), NULL when the window
 * has no non-compliant session; `evidence` a LIST of BIGINT, NULL likewise.
 */
export const ClassificationWindowRow = rowDecoder(
  'classificationWindowCounts',
  z.object({
    w: number,
    first: number,
    last: number,
    sessions: number,
    classified: number,
    non_compliant: number,
    by_category: listOf(z.object({ category: nullableText, count: number })),
    evidence: listOf(number),
  }),
);

/**
 * Detector matches of a window. `by_rule` and `by_category` are LISTs of counts, in the order of the rules
 * and of the categories' first appearance; `evidence` a LIST of BIGINT, NULL when nothing matched.
 */
export const DetectorWindowRow = rowDecoder(
  'detectorWindowCounts',
  z.object({
    w: number,
    first: number,
    last: number,
    sessions: number,
    matched: number,
    by_rule: listOf(number),
    by_category: listOf(number),
    evidence: listOf(number),
  }),
);

/** Detector matches per true behaviour (`meta.true_behaviour`, extracted as VARCHAR). */
export const DetectorConfusionRow = rowDecoder(
  'detectorConfusion',
  z.object({ behaviour: text, sessions: number, matched: number }),
);
