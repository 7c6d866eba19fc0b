import type { z } from 'zod';
import { hasApostropheVariant, normaliseText } from '../../model/phrase-pattern.ts';
import type { WindowInfo, WindowSpec } from '../../model/windows.ts';
import { tokenize } from '../../stats/tokenize.ts';

/**
 * The live facet of an analysis: monitors that `rlaudit watch` runs on a run while it trains, defined beside
 * the analysis whose definitions and thresholds they use. A monitor sees each accepted session once, in
 * reading order, and each closed window once; it keeps only what its rule needs (a ring of the last N
 * sessions, a window's counts, the first window's value), so its cost per session is bounded.
 */

/** An annotation of a live session (nested or on its own line). */
export interface LiveAnnotation {
  readonly id: string | null;
  readonly session: number;
  readonly author: string | null;
  readonly text: string;
  readonly classification: string | null;
}

/** A session as the live monitors see it: the stored session's fields the rules read. */
export interface LiveSession {
  readonly session: number;
  readonly step: number | null;
  readonly output: string;
  readonly reward: number | null;
}

/** A calibration event seen in the stream (canonical records): it may name a phrase and a "k of last N" trigger. */
export interface LiveEvent {
  readonly id: string | null;
  readonly session: number;
  readonly target: Readonly<Record<string, unknown>>;
  readonly trigger: Readonly<Record<string, unknown>> | null;
}

/** A closed window: its sessions (bounded by the window size or one step's rollouts) with their tokens. */
export interface LiveWindow extends WindowInfo {
  readonly sessions: number;
  readonly members: readonly LiveSession[];
  /** `tokenize` of each member's output, computed once and shared by the monitors. */
  tokens(i: number): readonly string[];
  /**
   * `tokenize(normaliseText(output))` of each member, as phrase discovery counts: the same as `tokens(i)`
   * (shared) unless the output has an apostrophe `normaliseText` straightens, since whitespace is never a token.
   */
  normalisedTokens(i: number): readonly string[];
}

/** What a monitor says when its rule crosses; the watcher adds the run, the alert id and the time. */
export interface LiveAlertDraft {
  readonly rule: string;
  readonly severity: 'info' | 'notice' | 'warning' | 'alert';
  readonly session: number;
  readonly step: number | null;
  readonly message: string;
  readonly numbers: Readonly<Record<string, number>>;
  readonly evidence: {
    readonly sessions: readonly number[];
    readonly events: readonly string[];
    readonly annotations: readonly string[];
  };
}

export interface LiveMonitor {
  /** The rule's name (the alert's `rule`). */
  readonly rule: string;
  session?(s: LiveSession): readonly LiveAlertDraft[];
  event?(e: LiveEvent): readonly LiveAlertDraft[];
  annotation?(a: LiveAnnotation): readonly LiveAlertDraft[];
  window?(w: LiveWindow): readonly LiveAlertDraft[];
}

/** A phrase or regex the recurrence and takeover monitors track, with its "k of last N". */
export interface LiveTarget {
  readonly phrase?: string;
  readonly regex?: string;
  readonly last: number;
  readonly threshold: number;
  /** Where it came from: `--phrase`, a protocol's recurrence rule, an event of the run. */
  readonly source: string;
}

/** What the watcher gives a live facet to build its monitors. */
export interface LiveConfig {
  /** The facet's thresholds, validated by its schema (defaults filled in). */
  readonly thresholds: Readonly<Record<string, number>>;
  readonly targets: readonly LiveTarget[];
  readonly window: WindowSpec;
}

/** The live facet of an analysis definition (`live:` in `defineAnalysis`). */
export interface LiveFacet {
  /** The rules its monitors raise, with a line each for `--help` and the docs. */
  readonly rules: Readonly<Record<string, string>>;
  /** Its thresholds: the analysis's own where they mean the same, with their defaults. */
  readonly thresholds: z.ZodObject;
  monitors(config: LiveConfig): LiveMonitor[];
}

/** `k` as `n` (`1 of 3`) — never a percentage without its counts. */
export const pctOf = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** A label for a window, as the analyses print it. */
export function liveWindowLabel(spec: WindowSpec, w: WindowInfo): string {
  return spec.by === 'step' ? `step ${w.index}` : `sessions ${w.from}–${w.to}`;
}

/** Builds a closed window from its members, tokenizing each output at most once. */
export function liveWindow(index: number, members: readonly LiveSession[]): LiveWindow {
  const cache: (readonly string[] | undefined)[] = new Array(members.length);
  const normalisedCache: (readonly string[] | undefined)[] = new Array(members.length);
  let from = Number.POSITIVE_INFINITY;
  let to = 0;
  for (const m of members) {
    from = Math.min(from, m.session);
    to = Math.max(to, m.session);
  }
  return {
    index,
    from: members.length === 0 ? 0 : from,
    to,
    sessions: members.length,
    members,
    tokens(i) {
      let t = cache[i];
      if (t === undefined) {
        t = tokenize(members[i]!.output);
        cache[i] = t;
      }
      return t;
    },
    normalisedTokens(i) {
      const output = members[i]!.output;
      if (!hasApostropheVariant(output)) return this.tokens(i);
      let t = normalisedCache[i];
      if (t === undefined) {
        t = tokenize(normaliseText(output));
        normalisedCache[i] = t;
      }
      return t;
    },
  };
}
