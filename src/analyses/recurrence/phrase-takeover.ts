import type { WindowInfo } from '../../model/windows.ts';

/** A discovered n-gram's share of sessions in one window. */
export interface PhraseShareWindow extends WindowInfo {
  /** Sessions of the window whose tokens contain the n-gram. */
  readonly hits: number;
  /** hits / sessions (0 for an empty window). */
  readonly share: number;
}

/** When a phrase took over: the windows where more than `majority` of the sessions contain it. */
export interface PhraseTakeover {
  readonly ngram: string;
  readonly windows: readonly PhraseShareWindow[];
  /** The share a window needs to be "taken over" (strictly more than it; default 0.5). */
  readonly majority: number;
  /** The first window whose share exceeds `majority` (null: none does). */
  readonly firstMajority: number | null;
  /** The first window from which every later window's share exceeds `majority` (null: the last does not). */
  readonly heldFrom: number | null;
  /** The window of the largest share (the first of ties) and that share. */
  readonly peak: { readonly index: number; readonly share: number } | null;
}

export const TAKEOVER_DEFINITIONS: Readonly<Record<string, string>> = {
  share: 'sessions of the window whose tokens contain the n-gram / sessions of the window',
  firstMajority: 'the first window whose share is more than the majority (default 0.5)',
  heldFrom: 'the first window from which the share is more than the majority in every later window',
};

/**
 * From which window a phrase took over: per-window shares, the first window above the majority and the
 * window from which it stayed above it. Window indices are those of the windows (steps with `--by step`).
 *
 * @example
 * phraseTakeover('absolutely', [w(0, 0, 64), w(10, 11, 64), w(20, 40, 64), w(30, 29, 64), w(40, 50, 64)])
 * // firstMajority 20, heldFrom 40, peak { index: 40, share: 0.78 }
 */
export function phraseTakeover(
  ngram: string,
  windows: readonly (WindowInfo & { readonly hits: number })[],
  majority = 0.5,
): PhraseTakeover {
  const ws: PhraseShareWindow[] = [...windows]
    .sort((a, b) => a.index - b.index)
    .map((w) => ({ ...w, share: w.sessions > 0 ? w.hits / w.sessions : 0 }));
  const above = (w: PhraseShareWindow) => w.sessions > 0 && w.share > majority;
  const firstMajority = ws.find(above)?.index ?? null;
  let heldFrom: number | null = null;
  for (let i = ws.length - 1; i >= 0 && above(ws[i]!); i--) heldFrom = ws[i]!.index;
  let peak: PhraseTakeover['peak'] = null;
  for (const w of ws) if (peak === null || w.share > peak.share) peak = { index: w.index, share: w.share };
  return { ngram, windows: ws, majority, firstMajority, heldFrom, peak };
}
