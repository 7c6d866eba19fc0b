import { spanLabel } from '../shared/assessment.ts';
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
    w.variance !== null && w.variance !== 0 && Math.abs(w.variance) < 0.0001
      ? w.variance.toExponential(1)
      : f(w.variance, 5),
    pct(w.lowShare),
    w.ratioLabel,
    f(w.compliantMean),
    f(w.nonCompliantMean),
    f(w.gap),
  ]);
  const headers = ['window', 'n', 'mean', 'variance', 'low', 'high:low', 'compliant', 'non-compl.', 'gap'];
  // columns empty in every row (no classification: no compliant / non-compliant means) are left out; the
  // "not available" line below says why
  const keep = headers.map((_, c) => c < 6 || rows.some((row) => row[c] !== ''));
  write(
    `${renderTable(
      headers.filter((_, c) => keep[c]),
      rows.map((row) => row.filter((_, c) => keep[c])),
    )}\n\n`,
  );
  const byStep = r.window.by === 'step';
  const stepOf = (session: number) => r.windows.find((w) => w.from <= session && w.to >= session)?.index;
  const cps = r.changePoints.sessions;
  write(
    byStep
      ? `change points of the variance series (last step of the left segment): ${cps.length ? cps.map((c) => `step ${stepOf(c)} (session ${c})`).join(', ') : 'none'}\n`
      : `change points of the variance series (last session of the left segment): ${cps.length ? cps.join(', ') : 'none'}\n`,
  );
  for (const p of r.phases) {
    write(
      `phase ${p.name}: ${spanLabel(r.window, r.windows, p.from, p.to)} (${p.windows} windows, mean variance ${f(p.meanVariance, 5)})\n`,
    );
  }
  for (const n of r.notes) write(`note: ${n}\n`);
  for (const a of r.at) {
    write(
      `at ${a.session} (sessions ${a.from}–${a.to}): high:low ${a.ratioLabel}, low share ${pct(a.lowShare)}\n`,
    );
  }
  const low = r.lastLowSession;
  const lowStep =
    low !== null && r.window.by === 'step'
      ? r.windows.find((w) => w.from <= low && w.to >= low)?.index
      : undefined;
  write(
    `last low reward: ${low === null ? 'none' : lowStep !== undefined ? `step ${lowStep} (session ${low})` : `session ${low}`}\n`,
  );
  printMissing(r.missing, write);
}
