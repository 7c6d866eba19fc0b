// The numeric kernels of rlaudit's analyses (pure functions, no I/O).
// Definitions: docs/analysis-kernels.md.

export type { CcfPoint } from './ccf.ts';
export { ccf, ccfBestLag } from './ccf.ts';
export type { ChangePointOptions, ChangePointResult } from './change-points.ts';
export { changePoints } from './change-points.ts';
export { compressionRatio } from './compression-ratio.ts';
export type { DistinctNOptions } from './distinct-n.ts';
export { distinctN } from './distinct-n.ts';
export type { EadOptions } from './ead.ts';
export { EAD_DEFAULT_VOCAB_SIZE, ead, eadMean } from './ead.ts';
export type { DifferenceInterval } from './newcombe-interval.ts';
export { newcombeInterval } from './newcombe-interval.ts';
export { ngramDiversityScore } from './ngram-diversity-score.ts';
export type { Corpus, Tokenizer } from './ngrams.ts';
export { ngramCounts, ngramKeys, toTokenLists } from './ngrams.ts';
export { erf, erfc, normalCdf, normalPdf, normalQuantile } from './normal-distribution.ts';
export { mulberry32, seededSampleIndices } from './prng.ts';
export type { Coefficient, SegmentedRegressionResult } from './segmented-regression.ts';
export { defaultNeweyWestLag, segmentedRegression } from './segmented-regression.ts';
export type { SelfBleuOptions, SelfBleuResult } from './self-bleu.ts';
export { selfBleu } from './self-bleu.ts';
export { lowerLikeDuckDb, tokenize, whitespaceTokenize } from './tokenize.ts';
export type { TwoProportionTest } from './two-proportion-z.ts';
export { twoProportionZ } from './two-proportion-z.ts';
export type { Interval } from './wilson-interval.ts';
export { wilsonInterval } from './wilson-interval.ts';
