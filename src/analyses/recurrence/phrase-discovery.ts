import type { NgramCandidate, NgramDiscoveryScan, PartInfo } from '../../model/recurrence-types.ts';
import type { WindowSpec } from '../../model/windows.ts';
import type { PhraseTakeover } from './phrase-takeover.ts';

/** A discovered phrase: the strongest n-gram of a group, with the sub-/super-grams merged into it. */
export interface DiscoveredPhrase extends NgramCandidate {
  readonly merged: readonly string[];
}

export interface DiscoveryResult {
  readonly first: PartInfo;
  readonly last: PartInfo;
  readonly rising: readonly DiscoveredPhrase[];
  readonly falling: readonly DiscoveredPhrase[];
  /** The windows of `takeovers` (null when they were not computed). */
  readonly window: WindowSpec | null;
  /** Per-window shares of the strongest rising phrases and when each took over (`phraseTakeover`). */
  readonly takeovers: readonly PhraseTakeover[];
}

export const DISCOVERY_DEFINITIONS: Readonly<Record<string, string>> = {
  parts:
    'first part = the first partFraction of the run’s sessions in session order, last part = the last partFraction; each capped at maxSessionsPerPart by a deterministic hash sample',
  rate: 'share of (sampled) sessions of a part whose tokens contain the n-gram at least once (1–6 tokens of `tokenize`)',
  score:
    'rising: Wilson 95% lower bound of the last-part rate − Wilson 95% upper bound of the first-part rate; falling: the mirror; only positive scores; support ≥ minSupport sessions in one part',
  merge:
    'candidates in score order; one that is a contiguous sub-gram of a kept n-gram joins it; one that contains a kept n-gram replaces it when their session counts agree within 20%',
};

const isSubgram = (small: string, big: string): boolean => ` ${big} `.includes(` ${small} `) && small !== big;
const agree = (a: NgramCandidate, b: NgramCandidate): boolean => {
  const ca = Math.max(a.firstCount, a.lastCount);
  const cb = Math.max(b.firstCount, b.lastCount);
  return Math.min(ca, cb) >= 0.8 * Math.max(ca, cb);
};

/**
 * Merges overlapping n-grams of one direction and keeps the `limit` strongest groups.
 *
 * @example
 * mergeNgrams([c('do not want to be', 0.9), c('not want', 0.9)], 5) // one group 'do not want to be', merged ['not want']
 */
export function mergeNgrams(candidates: readonly NgramCandidate[], limit: number): DiscoveredPhrase[] {
  const sorted = [...candidates].sort(
    (a, b) => b.score - a.score || b.n - a.n || a.ngram.localeCompare(b.ngram),
  );
  const kept: { head: NgramCandidate; merged: string[] }[] = [];
  for (const c of sorted) {
    const into = kept.find((k) => isSubgram(c.ngram, k.head.ngram));
    if (into) {
      into.merged.push(c.ngram);
      continue;
    }
    const inner = kept.filter((k) => isSubgram(k.head.ngram, c.ngram) && agree(k.head, c));
    if (inner.length > 0) {
      const first = inner[0]!;
      const absorbed = inner.flatMap((k) => [k.head.ngram, ...k.merged]);
      for (const k of inner.slice(1)) kept.splice(kept.indexOf(k), 1);
      first.merged = absorbed;
      first.head = { ...c, score: Math.max(c.score, first.head.score) };
      continue;
    }
    kept.push({ head: c, merged: [] });
  }
  return kept.slice(0, limit).map((k) => ({ ...k.head, merged: k.merged }));
}

/** The discovery result from the engine's candidates: merged per direction, top `limit` each. */
export function discoverPhrases(
  scan: NgramDiscoveryScan,
  limit: number,
  takeovers: { readonly window: WindowSpec; readonly list: readonly PhraseTakeover[] } | null = null,
): DiscoveryResult {
  return {
    window: takeovers?.window ?? null,
    takeovers: takeovers?.list ?? [],
    first: scan.first,
    last: scan.last,
    rising: mergeNgrams(
      scan.candidates.filter((c) => c.direction === 'rising'),
      limit,
    ),
    falling: mergeNgrams(
      scan.candidates.filter((c) => c.direction === 'falling'),
      limit,
    ),
  };
}
