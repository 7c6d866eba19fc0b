import { type Corpus, ngramKeys, type Tokenizer, toTokenLists } from './ngrams.ts';
import { seededSampleIndices } from './prng.ts';

/** Options of {@link selfBleu}. */
export interface SelfBleuOptions {
  /** Highest n-gram order, with uniform weights 1/maxN (default 3, Texygen's default). */
  readonly maxN?: number;
  /** Outputs scored: a seeded sample of this many, without replacement (default 500, Texygen's). */
  readonly sampleSize?: number;
  /** Seed of the sample ({@link mulberry32}); default 0. */
  readonly seed?: number;
  /** Tokenizer for text input (default `tokenize`); ignored for token-list input. */
  readonly tokenizer?: Tokenizer;
}

/** Result of {@link selfBleu}: the score and the sample it was computed on. */
export interface SelfBleuResult {
  /** Mean sentence BLEU of each sampled output against the other sampled outputs; NaN if < 2 sampled. */
  readonly selfBleu: number;
  /** Number of outputs scored (min(sampleSize, outputs)). */
  readonly sampleSize: number;
  readonly seed: number;
  readonly maxN: number;
}

const EPSILON = 0.1;

/**
 * Self-BLEU (Texygen, Zhu et al. 2018, `utils/metrics/SelfBleu.py`): each output of a seeded sample is
 * scored with NLTK's `sentence_bleu` against all *other* sampled outputs as references, uniform weights up
 * to `maxN`, `SmoothingFunction().method1` (a zero clipped count becomes ε = 0.1 over the n-gram count);
 * the mean over outputs. Following NLTK ≥ 3.5: clipped counts use the maximum count over references; the
 * precision denominator is max(1, hypothesis n-grams); BLEU is 0 when no unigram matches; the brevity
 * penalty is exp(1 − r/c) for c ≤ r with r the reference length closest to c (the shorter on ties).
 * Higher means less diverse.
 *
 * @example selfBleu(['the cat sat on the mat', 'the cat sat on a mat', 'a dog ran'], { seed: 1 }).selfBleu
 */
export function selfBleu(corpus: Corpus, options: SelfBleuOptions = {}): SelfBleuResult {
  const maxN = options.maxN ?? 3;
  const seed = options.seed ?? 0;
  const all = toTokenLists(corpus, options.tokenizer);
  const picked = seededSampleIndices(all.length, options.sampleSize ?? 500, seed);
  const lists = picked.map((i) => all[i]!);
  const m = lists.length;
  if (m < 2) return { selfBleu: Number.NaN, sampleSize: m, seed, maxN };

  // Per n-gram: the largest count in any output, which output holds it, and the second largest, so that the
  // maximum over "all outputs but i" is a lookup.
  const counts = lists.map((tokens) => {
    const perOrder: Map<string, number>[] = [];
    for (let n = 1; n <= maxN; n++) {
      const c = new Map<string, number>();
      for (const key of ngramKeys(tokens, n)) c.set(key, (c.get(key) ?? 0) + 1);
      perOrder.push(c);
    }
    return perOrder;
  });
  const top = new Map<string, { first: number; holder: number; second: number }>();
  counts.forEach((perOrder, i) => {
    for (const c of perOrder) {
      for (const [key, count] of c) {
        const t = top.get(key);
        if (t === undefined) top.set(key, { first: count, holder: i, second: 0 });
        else if (count > t.first) {
          t.second = t.first;
          t.first = count;
          t.holder = i;
        } else if (count > t.second) t.second = count;
      }
    }
  });
  const lengths = lists.map((t) => t.length);

  let sum = 0;
  for (let i = 0; i < m; i++) {
    const c = lengths[i]!;
    let logSum = 0;
    let zeroUnigrams = false;
    for (let n = 1; n <= maxN; n++) {
      let clipped = 0;
      let total = 0;
      for (const [key, count] of counts[i]![n - 1]!) {
        const t = top.get(key)!;
        const refMax = t.holder === i ? t.second : t.first;
        clipped += Math.min(count, refMax);
        total += count;
      }
      if (n === 1 && clipped === 0) zeroUnigrams = true;
      const precision = (clipped === 0 ? EPSILON : clipped) / Math.max(1, total);
      logSum += Math.log(precision) / maxN;
    }
    if (zeroUnigrams || c === 0) continue; // BLEU 0
    let r = Number.POSITIVE_INFINITY;
    for (let j = 0; j < m; j++) {
      if (j === i) continue;
      const len = lengths[j]!;
      const d = Math.abs(len - c);
      const best = Math.abs(r - c);
      if (d < best || (d === best && len < r)) r = len;
    }
    const bp = c > r ? 1 : Math.exp(1 - r / c);
    sum += bp * Math.exp(logSum);
  }
  return { selfBleu: sum / m, sampleSize: m, seed, maxN };
}
