import { z } from 'zod';
import { rowDecoder } from '../../sql/row-decoder.ts';
import { jsonObject, listOf, nullableNumber, nullableText, number, numberOrZero, text } from '../decode.ts';

// Counts (`count(*)`) are BIGINT and never NULL; `sum`s of counts are HUGEINT; `k` (a windowed `sum`) is
// HUGEINT; `max`/`min`/`sum` over no qualifying row are NULL — read as 0 where the scan reports a count
// and kept as null where it reports a session.

/** The totals of a phrase over the run (one row: no GROUP BY). */
export const PhraseTotalsRow = rowDecoder(
  'phraseTotals',
  z.object({
    n: number,
    hits: number,
    occ: numberOrZero,
    first: nullableNumber,
    last: nullableNumber,
    stop: nullableNumber,
    maxk: numberOrZero,
    maxk_session: nullableNumber,
    at_thr: number,
  }),
);

export const PhraseWindowRow = rowDecoder(
  'phraseWindows',
  z.object({
    w: number,
    f: number,
    l: number,
    n: number,
    hits: number,
    occ: numberOrZero,
    maxk: numberOrZero,
    maxk_session: nullableNumber,
  }),
);

/** A run of sessions at or above the threshold; `total` counts all episodes (before LIMIT). */
export const PhraseEpisodeRow = rowDecoder(
  'phraseEpisodes',
  z.object({ f: number, l: number, peak: numberOrZero, ps: numberOrZero, total: number }),
);

export const PhraseAroundRow = rowDecoder(
  'phraseAroundEvents',
  z.object({
    session: number,
    k: numberOrZero,
    hit: z
      .boolean()
      .nullable()
      .transform((v) => v === true),
  }),
);

/** One row per event session; `kat` and `fa` are NULL when the session is absent or nothing follows. */
export const PhraseEventRow = rowDecoder(
  'phraseEvents',
  z.object({
    e: number,
    m: number,
    kat: nullableNumber,
    hb: number,
    sb: number,
    ha: number,
    sa: number,
    fa: nullableNumber,
  }),
);

export const NgramPartRow = rowDecoder(
  'ngramParts',
  z.object({ part: text, f: number, l: number, n: number, ns: number }),
);

/** How many n-grams of one size have the support (the level-wise count of discoverNgrams). */
export const NgramLevelRow = rowDecoder('discoverNgrams.level', z.object({ frequent: number }));

/** A candidate n-gram; `fc`/`lc` are DOUBLE counts, `score` a Wilson-bound difference. */
export const NgramCandidateRow = rowDecoder(
  'discoverNgrams',
  z.object({ g: text, n: number, fc: number, lc: number, score: number, dir: text }),
);

export const NgramShareRow = rowDecoder(
  'ngramWindowShares',
  z.object({ g: text, w: number, f: number, l: number, n: number, hits: number }),
);

/** A near-paraphrase window; `ex` is a LIST of BIGINT sessions (NULL when none is after). */
export const ParaphraseRow = rowDecoder(
  'paraphraseWindows',
  z.object({ text: text, jac: numberOrZero, after: number, base: number, ex: listOf(number) }),
);

/** The phrase's own tokens (a VARCHAR[]) and the sessions searched. */
export const ParaphraseMetaRow = rowDecoder('paraphraseMeta', z.object({ pt: listOf(text), n: number }));

/** The columns of a calibration event as the scans select them; `target` and `trigger` are JSON cast to VARCHAR. */
export const eventColumns = z.object({
  id: text,
  session: number,
  kind: text,
  parameter: text,
  target: jsonObject,
  from_value: nullableNumber,
  to_value: nullableNumber,
  change_pct: nullableNumber,
  trigger: jsonObject,
  recommended_by: nullableText,
  note: nullableText,
});

/** A calibration event of `listEvents`. */
export const EventListRow = rowDecoder('listEvents', eventColumns);

/** An author's format profile; `fl` is a LIST of STRUCT(field, share) (at most 10). */
export const AuthorProfileRow = rowDecoder(
  'annotationProfiles',
  z.object({
    author: text,
    n: number,
    med: numberOrZero,
    mad: numberOrZero,
    fl: listOf(z.object({ field: text, share: numberOrZero })),
    fps: numberOrZero,
    afs: numberOrZero,
  }),
);

/** An annotation passing the prefilter; `fp`, `af`, `fields` are VARCHAR[]; `total` counts all (before LIMIT). */
export const AnnotationCandidateRow = rowDecoder(
  'annotationCandidates',
  z.object({
    id: text,
    session: number,
    author: text,
    ntok: number,
    fp: listOf(text),
    af: listOf(text),
    fields: listOf(text),
    text: text,
    total: number,
  }),
);
