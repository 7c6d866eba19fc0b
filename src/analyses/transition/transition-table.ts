import { printMissing, renderTable } from '../shared/render-table.ts';
import type { TransitionAnalysis } from './analyze-transition.ts';

const pct = (x: number | null) => (x === null ? '' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | null, d = 3) => (x === null ? '' : x.toFixed(d));

/** The terminal rendering of `rlaudit analyze transition`. */
export function transitionTable(r: TransitionAnalysis, write: (text: string) => void): void {
  for (const br of r.orderBreaks)
    write(
      `warning: ${br.count} training session(s) after the first ${br.phase} session (${br.phaseFirst}): ${br.sessions.join(', ')}${br.count > br.sessions.length ? ', …' : ''}\n`,
    );
  if (r.finalWindow)
    write(
      `final training window: sessions ${r.finalWindow.from}–${r.finalWindow.to} (${r.finalWindow.sessions})\n\n`,
    );
  for (const p of r.phases) {
    write(`${p.phase}: sessions ${p.from}–${p.to} (${p.sessions})`);
    write(
      p.contexts.some((c) => c.context !== null)
        ? `; contexts: ${p.contexts.map((c) => `${c.context ?? '(none)'} ${c.sessions}`).join(', ')}\n`
        : '\n',
    );
    write(
      `${renderTable(
        ['metric', 'final window', p.phase, 'difference', '95% interval'],
        p.metrics.map((m) => {
          const f = m.kind === 'proportion' ? pct : (x: number | null) => num(x);
          return [
            m.label,
            f(m.final),
            f(m.later),
            f(m.difference),
            m.lower === null || m.upper === null ? 'none' : `${f(m.lower)} to ${f(m.upper)}`,
          ];
        }),
      )}\n\n`,
    );
    if (p.courses.length > 0)
      write(
        `${renderTable(
          [
            'behaviour',
            'highest training window',
            'final',
            p.phase,
            'adjusted interval',
            'first reappearance',
          ],
          p.courses.map((c) => [
            c.label,
            c.peak === null ? '' : `${pct(c.peak.rate)} (${c.peak.from}–${c.peak.to})`,
            pct(c.finalRate),
            pct(c.laterRate),
            `${pct(c.adjustedLower)} to ${pct(c.adjustedUpper)}`,
            c.firstReappearance === null ? '' : String(c.firstReappearance),
          ]),
        )}\n\n`,
      );
    for (const g of p.gaps)
      write(
        `compliance gap (${g.context} − ${g.reference}): ${pct(g.rate)} vs ${pct(g.referenceRate)} = ${pct(g.difference)} (95% interval ${pct(g.lower)} to ${pct(g.upper)})\n`,
      );
    write('\n');
  }
  printMissing(r.missing, write);
}
