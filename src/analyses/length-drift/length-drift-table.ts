import { printMissing, renderTable } from '../shared/render-table.ts';
import type { LengthDriftAnalysis } from './analyze-length-drift.ts';

const f = (x: number | null, d = 3) => (x === null ? '' : x.toFixed(d));

export function lengthDriftTable(r: LengthDriftAnalysis, write: (text: string) => void): void {
  write(
    `${renderTable(
      ['window', 'sessions', 'mean tokens', `mean ${r.reward?.replace('_', ' ') ?? 'reward'}`],
      r.windows.map((w) => [w.label, w.sessions, f(w.meanTokens, 2), f(w.meanReward)]),
    )}\n\n`,
  );
  const fl = r.firstLast;
  if (fl) {
    write(
      `first vs last ${r.window.by === 'session' ? 'full ' : ''}window (${fl.first.label} → ${fl.last.label}): ${f(fl.first.meanTokens, 1)} → ${f(fl.last.meanTokens, 1)} tokens ` +
        `(${(fl.relativeLengthChange * 100).toFixed(1)}%), reward ${f(fl.first.meanReward)} → ${f(fl.last.meanReward)}\n`,
    );
  }
  if (r.correlation)
    write(`length vs reward across ${r.correlation.n} windows: r = ${r.correlation.r.toFixed(3)}\n`);
  write(
    `change points of the length series: ${r.changePoints.length ? r.changePoints.map((c) => c.window).join(', ') : 'none'}\n`,
  );
  printMissing(r.missing, write);
}
