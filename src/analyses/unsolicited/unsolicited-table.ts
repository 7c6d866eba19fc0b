import { printMissing, renderTable } from '../shared/render-table.ts';
import type { UnsolicitedResult } from './analyze-unsolicited.ts';

const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

export function unsolicitedTable(r: UnsolicitedResult, write: (text: string) => void): void {
  const catName = (c: string) => (/^\d+$/.test(c) ? `cat ${c}` : c);
  const headers = ['window', 'n', 'unsolicited', 'rate', 'ci95', ...r.categories.map(catName)];
  const rows = r.windows.map((w) => [
    w.label,
    w.n,
    w.count,
    pct(w.rate),
    w.ci95 ? `${pct(w.ci95.lower)}–${pct(w.ci95.upper)}` : '',
    ...w.categories.map((c) => pct(c.rate)),
  ]);
  write(`${renderTable(headers, rows)}\n`);
  const source = r.source === 'detector' ? `detector '${r.detector}'` : 'classification';
  write(`\nsource: ${source}\n`);
  const fl = r.firstLast;
  if (fl) {
    write(
      `first vs last ${fl.equalSize ? 'full ' : ''}window (${fl.firstWindow} → ${fl.lastWindow}` +
        `${fl.setAside ? `; ${fl.setAside.window} set aside` : ''}): ${pct(fl.first.rate)} → ${pct(fl.last.rate)}\n`,
    );
  }
  const ev = r.evaluation;
  if (ev) {
    write(
      `detector '${ev.detector}' vs ground truth: precision ${pct(ev.precision)}, recall ${pct(ev.recall)} ` +
        `(TP ${ev.truePositives}, FP ${ev.falsePositives}, FN ${ev.falseNegatives}, TN ${ev.trueNegatives})\n`,
    );
  }
  printMissing(r.missing, write);
}
