import { printMissing, renderTable } from '../shared/render-table.ts';
import type { CorrespondenceAnalysis } from './analyze-correspondence.ts';
import { CORRESPONDENCE_DEFAULTS } from './assess-correspondence.ts';

export function correspondenceTable(r: CorrespondenceAnalysis, write: (text: string) => void): void {
  const f = (v: number | undefined | null) => (v === undefined || v === null ? null : Number(v.toFixed(3)));
  write(
    `${renderTable(
      [
        'behaviour',
        'windows',
        'r at lag 0',
        'best lag',
        'r at best',
        '±band',
        'diff r at 0',
        'diff best lag',
        '±band (diff)',
      ],
      r.behaviours.map((b) => [
        b.behaviour,
        b.windows.n,
        f(b.levels.atLag0),
        b.levels.best?.lag ?? null,
        f(b.levels.best?.r),
        f(b.band),
        f(b.differences?.atLag0),
        b.differences?.best?.lag ?? null,
        f(b.differencesBand),
      ]),
    )}\n\nreward series: ${r.reward}; ${
      r.coupling
        ? `classification R² of the reward (within windows): ${f(r.coupling.r2)}${r.coupling.r2 >= CORRESPONDENCE_DEFAULTS.by_construction_r2 ? ' — correlations with classification and category rates hold by construction' : ''}; `
        : ''
    }lags in windows of ${r.window.by === 'step' ? 'one step' : `${r.window.size} sessions`}\n`,
  );
  printMissing(r.missing, write);
}
