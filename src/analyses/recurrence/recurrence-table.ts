import { windowLabel } from '../../model/windows.ts';
import { printMissing, renderTable } from '../shared/render-table.ts';
import type { RecurrenceResult } from './analyze-recurrence.ts';

const _collect = (v: string, acc: string[]) => [...acc, v];
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** The strongest rising phrases' share of sessions per window, and from which window each took over. */
function printTakeovers(d: NonNullable<RecurrenceResult['discovery']>, out: (s: string) => void): void {
  const spec = d.window;
  if (spec === null || d.takeovers.length === 0) return;
  const label = (i: number) => {
    const w = d.takeovers[0]!.windows.find((x) => x.index === i);
    return w ? windowLabel(spec, w) : String(i);
  };
  const indices = [...new Set(d.takeovers.flatMap((t) => t.windows.map((w) => w.index)))].sort(
    (a, b) => a - b,
  );
  out(
    `share of sessions per window (rising phrases; more than ${pct(d.takeovers[0]!.majority)} = taken over):`,
  );
  out(
    renderTable(
      ['window', ...d.takeovers.map((t) => t.ngram)],
      indices.map((i) => [
        label(i),
        ...d.takeovers.map((t) => {
          const w = t.windows.find((x) => x.index === i);
          return w ? `${pct(w.share)} (${w.hits}/${w.sessions})` : '—';
        }),
      ]),
    ),
  );
  for (const t of d.takeovers)
    out(
      t.firstMajority === null
        ? `"${t.ngram}": never in more than ${pct(t.majority)} of a window's sessions (peak ${t.peak ? `${pct(t.peak.share)} at ${label(t.peak.index)}` : '—'})`
        : `"${t.ngram}": first in more than ${pct(t.majority)} of the sessions at ${label(t.firstMajority)}; ${t.heldFrom === null ? 'not held to the end' : `held in every window from ${label(t.heldFrom)}`}; peak ${pct(t.peak!.share)} at ${label(t.peak!.index)}`,
    );
}

export function recurrenceTable(r: RecurrenceResult, write: (text: string) => void): void {
  const out = (s: string) => write(`${s}\n`);
  for (const p of r.phrases) {
    out(
      `phrase "${p.label}" (${p.source === 'event' ? 'from the run’s events' : 'given'}): ${p.hitSessions} of ${p.sessions} sessions (${pct(p.rate)}), ${p.occurrences} occurrences`,
    );
    out(`  first ${p.firstSession ?? '—'}, last ${p.lastSession ?? '—'}, stop ${p.stopSession ?? '—'}`);
    out(
      `  k of last ${p.recentWindow}: max ${p.maxK} at ${p.maxKSession ?? '—'}; ${p.sessionsAtThreshold} session(s) with k ≥ ${p.threshold} in ${p.episodesTotal} episode(s)${p.episodes.length ? `: ${p.episodes.map((e) => `${e.from}–${e.to} (peak ${e.peakK})`).join(', ')}` : ''}`,
    );
    const rows = p.windows
      .filter((w) => w.hitSessions > 0)
      .map((w) => [`${w.from}–${w.to}`, w.sessions, w.hitSessions, w.occurrences, w.maxK]);
    if (rows.length > 0) out(renderTable(['window', 'sessions', 'matching', 'occurrences', 'max k'], rows));
    if (p.events.length > 0) {
      out(
        renderTable(
          [
            'event',
            'session',
            'kind',
            'target',
            'k at',
            'h',
            'before (t−h…t−1)',
            'after (t+1…t+h)',
            'verdict',
          ],
          p.events.map((e) => [
            e.event,
            e.session,
            e.kind,
            e.targetsPhrase ? 'this phrase' : e.parameter,
            e.kAt,
            e.horizon,
            e.hitsBefore,
            e.hitsAfter,
            e.verdict,
          ]),
        ),
      );
    }
    if (p.displacement) {
      out(`  displacement after ${p.displacement.stopSession}: ${p.displacement.verdict}`);
      for (const c of p.displacement.paraphrases.slice(0, 5))
        out(
          `    "${c.text}" (Jaccard ${c.jaccard.toFixed(2)}): ${c.sessionsAfter} sessions after, ${c.sessionsBaseline} before; e.g. ${c.exampleSessions.join(', ')}`,
        );
    }
    out('');
  }
  const d = r.discovery;
  if (d) {
    out(
      `discovered n-grams: first part sessions ${d.first.from}–${d.first.to} vs last part ${d.last.from}–${d.last.to}`,
    );
    for (const [name, list] of [
      ['rising', d.rising],
      ['falling', d.falling],
    ] as const) {
      out(`${name}:`);
      out(
        renderTable(
          ['n-gram', 'first', 'last', 'score', 'merged'],
          list.map((c) => [c.ngram, pct(c.firstRate), pct(c.lastRate), c.score, c.merged.length]),
        ),
      );
    }
    printTakeovers(d, out);
  }
  printMissing(r.missing, write);
}
