import type { ReportTable } from '../../model/findings.ts';
import { windowLabel } from '../../model/windows.ts';
import { type findingBuilder, pct } from '../shared/assessment.ts';
import type { DiscoveryResult } from './phrase-discovery.ts';
import type { PhraseTakeover } from './phrase-takeover.ts';

type Builder = ReturnType<typeof findingBuilder>;

/** Share in the last window − share in the first window. */
const gain = (t: PhraseTakeover): number => (t.windows.at(-1)?.share ?? 0) - (t.windows[0]?.share ?? 0);

/**
 * The phrase that took over: of the phrases that held the majority to the end but not already in the first
 * window (a phrase common from the start did not take over), the one whose share grew most from the first to
 * the last window; ties to the earlier `heldFrom`, then discovery order.
 */
export function mainTakeover(takeovers: readonly PhraseTakeover[]): PhraseTakeover | null {
  const held = takeovers.filter((t) => t.heldFrom !== null && t.heldFrom !== t.windows[0]?.index);
  held.sort((a, b) => gain(b) - gain(a) || a.heldFrom! - b.heldFrom!);
  return held[0] ?? null;
}

/**
 * The `phrase_takeover` finding (a discovered phrase in more than the majority of the sessions of every
 * window from some window to the end) and the table of the rising phrases' shares per window.
 */
export function assessTakeovers(b: Builder, d: DiscoveryResult): ReportTable[] {
  const spec = d.window;
  if (spec === null || d.takeovers.length === 0) return [];
  const label = (t: PhraseTakeover, i: number) => {
    const w = t.windows.find((x) => x.index === i);
    return w ? windowLabel(spec, w) : String(i);
  };
  const top = mainTakeover(d.takeovers);
  if (top !== null) {
    const from = top.windows.find((w) => w.index === top.heldFrom)!;
    const first = top.windows[0]!;
    const last = top.windows[top.windows.length - 1]!;
    const others = d.takeovers.filter(
      (t) => t !== top && t.heldFrom !== null && t.heldFrom !== t.windows[0]?.index,
    );
    b.add({
      severity: 'warning',
      claim:
        `The phrase "${top.ngram}" took over: it is in more than ${pct(top.majority)} of the outputs of every window ` +
        `from ${label(top, from.index)} on (${from.hits} of ${from.sessions} there; ${first.hits} of ${first.sessions} ` +
        `in ${label(top, first.index)}, ${last.hits} of ${last.sessions} in ${label(top, last.index)})` +
        (others.length > 0
          ? `; ${others.map((t) => `"${t.ngram}" held a majority from ${label(t, t.heldFrom!)}`).join(', ')}.`
          : '.'),
      numbers: {
        phrase: top.ngram,
        held_from: label(top, from.index),
        first_majority: label(top, top.firstMajority!),
        share_at_held_from: from.share,
        first_share: first.share,
        last_share: last.share,
        majority: top.majority,
        others: others.map((t) => `${t.ngram} @ ${label(t, t.heldFrom!)}`).join(' | '),
      },
      method:
        'phrase discovery, then the share of sessions per window whose tokens contain each of the strongest rising ' +
        `n-grams; taken over = more than ${pct(top.majority)} of a window's sessions, held = in every later window too`,
      evidence: {
        sessions: [from.from, last.to],
        shows: [
          { named: label(top, from.index), from: from.from, to: from.to },
          { named: label(top, last.index), from: last.from, to: last.to },
        ],
      },
      tags: ['phrase_takeover'],
    });
  }
  const indices = [...new Set(d.takeovers.flatMap((t) => t.windows.map((w) => w.index)))].sort(
    (a, b) => a - b,
  );
  return [
    {
      title: 'Rising phrases: share of sessions per window',
      columns: ['window', ...d.takeovers.map((t) => `"${t.ngram}"`)],
      rows: indices.map((i) => [
        label(d.takeovers[0]!, i),
        ...d.takeovers.map((t) => {
          const w = t.windows.find((x) => x.index === i);
          return w ? pct(w.share) : null;
        }),
      ]),
    },
  ];
}
