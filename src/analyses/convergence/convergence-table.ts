import { printMissing, renderTable } from '../shared/render-table.ts';
import type { ConvergenceAnalysis } from './analyze-convergence.ts';

const f = (x: number | null, digits = 3) => (x === null ? '' : x.toFixed(digits));
const pct = (x: number | null) => (x === null ? '' : `${(x * 100).toFixed(1)}%`);

export function convergenceTable(r: ConvergenceAnalysis, write: (text: string) => void): void {
  write(`reward: ${r.reward}; low reward: < ${f(r.threshold.value)} (${r.threshold.rule})\n`);
  const rows = r.windows.map((w) => [
    r.window.by === 'step' ? `step ${w.index}` : `${w.from}–${w.to}`,
    w.n,
    f(w.mean),
    f(w.variance, 5),
    pct(w.lowShare),
    w.ratioLabel,
    f(w.compliantMean),
    f(w.nonCompliantMean),
    f(w.gap),
  ]);
  const headers = ['window', 'n', 'mean', 'variance', 'low', 'high:low', 'compliant', 'non-compl.', 'gap'];
  write(`${renderTable(headers, rows)}\n\n`);
  const cps = r.changePoints.sessions;
  write(
    `change points of the variance series (last session of the left segment): ${cps.length ? cps.join(', ') : 'none'}\n`,
  );
  for (const p of r.phases) {
    write(
      `phase ${p.name}: sessions ${p.from}–${p.to} (${p.windows} windows, mean variance ${f(p.meanVariance, 5)})\n`,
    );
  }
  for (const n of r.notes) write(`note: ${n}\n`);
  for (const a of r.at) {
    write(
      `at ${a.session} (sessions ${a.from}–${a.to}): high:low ${a.ratioLabel}, low share ${pct(a.lowShare)}\n`,
    );
  }
  write(`last low reward: ${r.lastLowSession === null ? 'none' : `session ${r.lastLowSession}`}\n`);
  printMissing(r.missing, write);
}
