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
  let level: Int32Array[] = tokens.map((t) => {
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
  let passed = new Uint8Array(0);
  for (let n = 1; n <= maxN; n++) {
    if (n > 1) {
      const prev = level;
      const prevNames = names;
      const prevPassed = passed;
      const pairIds = new Map<number, number>();
      const nextNames: string[] = [];
      level = prev.map((ids) => {
        const next = new Int32Array(Math.max(0, ids.length - 1));
        for (let i = 0; i + 1 < ids.length; i++) {
          const left = ids[i]!;
          const right = ids[i + 1]!;
          if (left < 0 || right < 0 || !prevPassed[left] || !prevPassed[right]) {
            next[i] = -1;
            continue;
          }
          const key = left * prevNames.length + right;
          let id = pairIds.get(key);
          if (id === undefined) {
            id = nextNames.length;
            pairIds.set(key, id);
            const rightName = prevNames[right]!;
            nextNames.push(`${prevNames[left]!} ${rightName.slice(rightName.lastIndexOf(' ') + 1)}`);
          }
          next[i] = id;
        }
        return next;
      });
      names = nextNames;
    }
    const counts = new Int32Array(names.length);
    const lastDoc = new Int32Array(names.length).fill(-1);
    level.forEach((ids, k) => {
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (id < 0 || lastDoc[id] === k) continue;
        lastDoc[id] = k;
        counts[id]!++;
      }
    });
    passed = new Uint8Array(names.length);
    let any = false;
    for (let id = 0; id < names.length; id++) {
      if (counts[id]! <= min) continue;
      passed[id] = 1;
      any = true;
      out.set(names[id]!, counts[id]!);
    }
    if (!any) break;
  }
  return out;
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
      return [];
    }
    if (w.sessions < this.minSessions) return [];
    const f = this.first;
    const candidates = [];
    for (const [g, hits] of frequentNgrams(w.tokens, this.maxN, this.majority * w.sessions)) {
      // a phrase of function words only ("into", "across the") is grammar, not a behaviour to act on
      if (this.fired.has(g) || !hasContentWord(g)) continue;
      const before = gramHits(f, g).hits;
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
