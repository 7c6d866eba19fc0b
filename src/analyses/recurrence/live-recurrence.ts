import { compileTarget, type PhraseMatcher } from '../../calibration/phrase-matcher.ts';
import { RingWindow } from '../../calibration/ring-window.ts';
import type { WindowSpec } from '../../model/windows.ts';
import { wilsonInterval } from '../../stats/wilson-interval.ts';
import type { LiveFacet } from '../shared/live.ts';
import {
  type LiveAlertDraft,
  type LiveEvent,
  type LiveMonitor,
  type LiveSession,
  type LiveTarget,
  type LiveWindow,
  liveWindowLabel,
  pctOf,
} from '../shared/live.ts';
import { thresholdsSchema } from '../shared/thresholds.ts';
import { hasContentWord } from './function-words.ts';
import { mergeNgrams } from './phrase-discovery.ts';

/** One target's "k of last N" (RECURRENCE_DEFINITIONS.k_of_last_n), session by session. */
class KOfLastN {
  readonly matcher: PhraseMatcher;
  readonly ring: RingWindow;
  /** Session numbers of the last N sessions (the ring's order), for the evidence. */
  readonly recent: number[] = [];
  readonly hits: boolean[] = [];
  above = false;

  constructor(readonly target: LiveTarget) {
    this.matcher = compileTarget(target);
    this.ring = new RingWindow(target.last);
  }

  observe(s: LiveSession): LiveAlertDraft | null {
    const matched = this.matcher.test(s.output);
    this.ring.push(matched);
    this.recent.push(s.session);
    this.hits.push(matched);
    if (this.recent.length > this.target.last) {
      this.recent.shift();
      this.hits.shift();
    }
    const k = this.ring.count;
    const crossed = k >= this.target.threshold && !this.above;
    this.above = k >= this.target.threshold;
    if (!crossed) return null;
    const n = this.target.last;
    const matching = this.recent.filter((_, i) => this.hits[i]);
    return {
      rule: 'recurrence',
      severity: 'alert',
      session: s.session,
      step: s.step,
      message:
        `"${this.matcher.label}" is in ${k} of the last ${n} sessions at session ${s.session}` +
        `${s.step === null ? '' : ` (step ${s.step})`}: the "${this.target.threshold} of last ${n}" rule crossed ` +
        `(target from ${this.target.source}; sessions ${matching.join(', ')})`,
      numbers: { k, last_n: n, threshold: this.target.threshold },
      evidence: { sessions: matching, events: [], annotations: [] },
    };
  }
}

/**
 * The recurrence rule live: for each target, k(s) = matching sessions among the last N sessions in reading
 * order, s included (the calibrator's and the recurrence analysis's count, with the same matcher); an alert
 * at each session where k reaches the threshold from below (the start of an episode: RECURRENCE_DEFINITIONS).
 * An event of the run that targets a phrase with a "k of last N" trigger adds that phrase from the event on.
 */
export class RecurrenceMonitor implements LiveMonitor {
  readonly rule = 'recurrence';
  private readonly trackers: KOfLastN[];

  constructor(targets: readonly LiveTarget[]) {
    this.trackers = targets.map((t) => new KOfLastN(t));
  }

  session(s: LiveSession): LiveAlertDraft[] {
    const out: LiveAlertDraft[] = [];
    for (const t of this.trackers) {
      const a = t.observe(s);
      if (a !== null) out.push(a);
    }
    return out;
  }

  event(e: LiveEvent): LiveAlertDraft[] {
    const phrase = typeof e.target.phrase === 'string' ? e.target.phrase : undefined;
    const regex = typeof e.target.regex === 'string' ? e.target.regex : undefined;
    if (phrase === undefined && regex === undefined) return [];
    const label = (phrase ?? regex)!.toLowerCase();
    if (this.trackers.some((t) => (t.target.phrase ?? t.target.regex)?.toLowerCase() === label)) return [];
    const last = typeof e.trigger?.window === 'number' ? e.trigger.window : 20;
    const threshold = typeof e.trigger?.count === 'number' && e.trigger.count > 0 ? e.trigger.count : 7;
    this.trackers.push(
      new KOfLastN({
        ...(phrase !== undefined ? { phrase } : { regex: regex! }),
        last,
        threshold,
        source: `event ${e.id ?? `at session ${e.session}`}`,
      }),
    );
    return [];
  }
}

/** A window's members as token lists (`tokenize` of the normalised output), for n-gram shares. */
interface TokenWindow {
  readonly index: number;
  readonly sessions: number;
  readonly from: number;
  readonly to: number;
  readonly tokens: readonly (readonly string[])[];
  readonly members: readonly number[];
}

function tokenWindow(w: LiveWindow): TokenWindow {
  return {
    index: w.index,
    sessions: w.sessions,
    from: w.from,
    to: w.to,
    tokens: w.members.map((_, i) => w.normalisedTokens(i)),
    members: w.members.map((m) => m.session),
  };
}

/**
 * Sessions of a window whose tokens contain each n-gram of 1…maxN tokens with more than `min` sessions.
 * Exact and fast by the apriori bound: an n-gram is in no more sessions than each of its (n−1)-grams, so an
 * n-gram is counted only when both of its (n−1)-grams passed.
 */
export function frequentNgrams(
  tokens: readonly (readonly string[])[],
  maxN: number,
  min: number,
): Map<string, number> {
  const out = new Map<string, number>();
  // n-grams are numbered per level: a 1-gram by its token, an n-gram by the pair of (n−1)-grams it starts and
  // ends with (the pair fixes its n tokens), so counting needs no string per position, only per new n-gram
  const tokenIds = new Map<string, number>();
  const words: string[] = [];
  const level: Int32Array[] = tokens.map((t) => {
    const ids = new Int32Array(t.length);
    for (let i = 0; i < t.length; i++) {
      let id = tokenIds.get(t[i]!);
      if (id === undefined) {
        id = words.length;
        tokenIds.set(t[i]!, id);
        words.push(t[i]!);
      }
      ids[i] = id;
    }
    return ids;
  });
  let names = words;
  /** Of each (n−1)-gram that passed, its rank among those that passed (−1: did not pass). */
  let rank = new Int32Array(0);
  let passedCount = 0;
  for (let n = 1; n <= maxN; n++) {
    if (n > 1) {
      const prevNames = names;
      const prevRank = rank;
      const p = passedCount;
      // a pair of passed (n−1)-grams is numbered through a table of p² slots when that is small (the usual
      // case: few n-grams are in more than `min` sessions), else through a map
      const table = p * p <= 1 << 20 ? new Int32Array(p * p).fill(-1) : null;
      const pairIds = table === null ? new Map<number, number>() : null;
      const nextNames: string[] = [];
      for (let k = 0; k < level.length; k++) {
        const ids = level[k]!;
        const next = new Int32Array(Math.max(0, ids.length - 1));
        for (let i = 0; i + 1 < ids.length; i++) {
          const left = ids[i]!;
          const right = ids[i + 1]!;
          const l = left < 0 ? -1 : prevRank[left]!;
          const r = right < 0 ? -1 : prevRank[right]!;
          if (l < 0 || r < 0) {
            next[i] = -1;
            continue;
          }
          const key = l * p + r;
          let id = table !== null ? table[key]! : (pairIds!.get(key) ?? -1);
          if (id < 0) {
            id = nextNames.length;
            if (table !== null) table[key] = id;
            else pairIds!.set(key, id);
            const rightName = prevNames[right]!;
            nextNames.push(`${prevNames[left]!} ${rightName.slice(rightName.lastIndexOf(' ') + 1)}`);
          }
          next[i] = id;
        }
        level[k] = next;
      }
      names = nextNames;
    }
    const counts = new Int32Array(names.length);
    const lastDoc = new Int32Array(names.length).fill(-1);
    for (let k = 0; k < level.length; k++) {
      const ids = level[k]!;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (id < 0 || lastDoc[id] === k) continue;
        lastDoc[id] = k;
        counts[id]!++;
      }
    }
    rank = new Int32Array(names.length).fill(-1);
    passedCount = 0;
    for (let id = 0; id < names.length; id++) {
      if (counts[id]! <= min) continue;
      rank[id] = passedCount++;
      out.set(names[id]!, counts[id]!);
    }
    if (passedCount === 0) break;
  }
  return out;
}

/**
 * Sessions of a window whose tokens contain each n-gram of 1…maxN tokens (the n-gram: its tokens joined by
 * a space; tokens have no space, so the key is unambiguous): for the first window, which every later window
 * is compared with, counted once instead of once per candidate phrase.
 */
export function ngramSessionCounts(
  tokens: readonly (readonly string[])[],
  maxN: number,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tokens) {
    const seen = new Set<string>();
    for (let n = 1; n <= maxN; n++) {
      for (let i = 0; i + n <= t.length; i++) {
        const g = n === 1 ? t[i]! : t.slice(i, i + n).join(' ');
        if (seen.has(g)) continue;
        seen.add(g);
        counts.set(g, (counts.get(g) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/** Sessions of a window containing the n-gram (whole tokens), and the first of them. */
function gramHits(w: TokenWindow, gram: string): { hits: number; first: number | null } {
  const g = gram.split(' ');
  let hits = 0;
  let first: number | null = null;
  w.tokens.forEach((t, k) => {
    for (let i = 0; i + g.length <= t.length; i++) {
      let ok = true;
      for (let j = 0; j < g.length && ok; j++) ok = t[i + j] === g[j];
      if (ok) {
        hits++;
        first ??= w.members[k]!;
        return;
      }
    }
  });
  return { hits, first };
}

/**
 * Phrase takeover live (TAKEOVER_DEFINITIONS): per closed window, the share of its sessions whose tokens
 * (\`tokenize\` of the normalised output, as discovery counts them) contain each n-gram of 1…3 tokens. A
 * phrase takes over in a window when its share is more than \`majority\` — the analysis's "first majority" —
 * while it was not the majority in the first window (a phrase common from the start did not take over) and
 * it rose: the Wilson 95% lower bound of its share here is above the upper bound of its first-window share
 * (discovery's rising score). Overlapping n-grams are merged as discovery merges them. One alert per
 * window at most, headed by the phrase of the highest score, naming the others that crossed with it; each
 * phrase is reported once, at the first window it took over. Only phrases with a content word are considered
 * (`hasContentWord`: not made of function words alone, such as "into" or "across the").
 */
export class PhraseTakeoverMonitor implements LiveMonitor {
  readonly rule = 'phrase-takeover';
  private first: TokenWindow | null = null;
  /** Sessions of the first window containing each of its n-grams (`ngramSessionCounts`). */
  private firstCounts = new Map<string, number>();
  private readonly fired = new Set<string>();

  constructor(
    private readonly spec: WindowSpec,
    private readonly majority: number,
    private readonly maxN = 3,
    private readonly minSessions = 10,
  ) {}

  window(win: LiveWindow): LiveAlertDraft[] {
    if (win.sessions === 0) return [];
    const w = tokenWindow(win);
    if (this.first === null) {
      this.first = w;
      this.firstCounts = ngramSessionCounts(w.tokens, this.maxN);
      return [];
    }
    if (w.sessions < this.minSessions) return [];
    const f = this.first;
    const candidates = [];
    for (const [g, hits] of frequentNgrams(w.tokens, this.maxN, this.majority * w.sessions)) {
      // a phrase of function words only ("into", "across the") is grammar, not a behaviour to act on
      if (this.fired.has(g) || !hasContentWord(g)) continue;
      const before = this.firstCounts.get(g) ?? 0;
      if (before / f.sessions > this.majority) continue;
      const score = wilsonInterval(hits, w.sessions).lower - wilsonInterval(before, f.sessions).upper;
      if (score <= 0) continue;
      candidates.push({
        ngram: g,
        n: g.split(' ').length,
        firstCount: before,
        lastCount: hits,
        firstRate: before / f.sessions,
        lastRate: hits / w.sessions,
        score,
        direction: 'rising' as const,
      });
    }
    const merged = mergeNgrams(candidates, candidates.length);
    if (merged.length === 0) return [];
    for (const p of merged) for (const g of [p.ngram, ...p.merged]) this.fired.add(g);
    const top = merged[0]!;
    const others = merged.slice(1);
    const label = liveWindowLabel(this.spec, win);
    const at = gramHits(w, top.ngram).first ?? w.from;
    const shown = others.slice(0, 8).map((p) => `"${p.ngram}" ${p.lastCount} of ${w.sessions}`);
    return [
      {
        rule: this.rule,
        severity: 'warning',
        session: at,
        step: this.spec.by === 'step' ? win.index : null,
        message:
          `The phrase "${top.ngram}" took over at ${label}: it is in ${top.lastCount} of ${w.sessions} sessions ` +
          `(${pctOf(top.lastRate)}, more than ${pctOf(this.majority)}), against ${top.firstCount} of ${f.sessions} ` +
          `in the first window (${liveWindowLabel(this.spec, f)})` +
          (top.merged.length > 0 ? `, with ${top.merged.map((m) => `"${m}"`).join(', ')}` : '') +
          (others.length > 0
            ? `; also taking over: ${shown.join(', ')}${others.length > shown.length ? `, and ${others.length - shown.length} more` : ''}`
            : ''),
        numbers: {
          share: top.lastRate,
          hits: top.lastCount,
          sessions: w.sessions,
          first_share: top.firstRate,
          majority: this.majority,
          score: top.score,
          phrases_taking_over: merged.length,
        },
        evidence: { sessions: [at, w.from, w.to], events: [], annotations: [] },
      },
    ];
  }
}

/** The recurrence analysis's live facet: `recurrence` ("k of last N") and `phrase-takeover`. */
export const recurrenceLive: LiveFacet = {
  rules: {
    recurrence: 'a target phrase is in k of the last N sessions (k ≥ the threshold, crossed from below)',
    'phrase-takeover':
      'an n-gram rare in the first window is in more than takeover_majority of a window’s sessions',
  },
  thresholds: thresholdsSchema(
    { takeover_majority: 0.5 },
    {
      takeover_majority:
        'the share of a window’s sessions a phrase must exceed to have taken over (the analysis’s majority)',
    },
  ),
  monitors: ({ thresholds, targets, window }) => [
    new RecurrenceMonitor(targets),
    new PhraseTakeoverMonitor(window, thresholds.takeover_majority!),
  ],
};
