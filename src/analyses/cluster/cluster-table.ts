import { printMissing, renderTable } from '../shared/render-table.ts';
import type { ClusterAnalysis } from './analyze-cluster.ts';

const f = (x: number | null) => (x === null ? '' : x.toFixed(3));

export function clusterTable(r: ClusterAnalysis, write: (text: string) => void): void {
  const rows = r.sessions.map((s) => [
    s.session,
    s.classification ?? '',
    s.category ?? '',
    s.baselineReward,
    s.adjustedReward,
    s.differentialPct,
    s.complianceTrajectoryIndex,
    s.annotations,
    s.eventIds.join(' '),
    s.outputStart,
  ]);
  const headers = [
    'session',
    'class',
    'cat',
    'baseline',
    'adjusted',
    'diff %',
    'CTI',
    'ann',
    'events',
    'output',
  ];
  write(`${renderTable(headers, rows)}\n\n`);
  const g = r.gap;
  write(
    `${r.reward} in ${r.from}–${r.to}: compliant ${f(g.compliantMean)} (n=${g.compliantN}), non-compliant ${f(g.nonCompliantMean)} (n=${g.nonCompliantN}), gap ${f(g.gap)}\n`,
  );
  if (r.gapBetweenEvents.length > 1) {
    for (const s of r.gapBetweenEvents) {
      const by = s.startedBy.length ? ` (after ${s.startedBy.join(', ')})` : '';
      write(
        `  ${s.from}–${s.to}${by}: compliant ${f(s.compliantMean)}, non-compliant ${f(s.nonCompliantMean)}, gap ${f(s.gap)}\n`,
      );
    }
  }
  for (const d of r.differentials) {
    write(
      `differential in force: category ${d.category ?? 'none'} ${d.differentialPct}% (${d.sessions} session${d.sessions === 1 ? '' : 's'}, ${d.firstSession}–${d.lastSession})\n`,
    );
  }
  for (const e of r.events) {
    write(
      `event ${e.id} @${e.session}: ${e.kind} ${e.parameter} ${e.target} ${e.from ?? '?'} → ${e.to ?? '?'}` +
        `${e.recommendedBy ? `, recommended by ${e.recommendedBy}` : ''}\n`,
    );
  }
  printMissing(r.missing, write);
}
