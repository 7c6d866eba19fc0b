import { printMissing, renderTable } from '../shared/render-table.ts';
import type { DiversityResult } from './analyze-diversity.ts';

const fixed = (v: number | null): string => (v === null ? '' : v.toFixed(3));

export function diversityTable(r: DiversityResult, write: (text: string) => void): void {
  const headers = [
    'window',
    'sessions',
    'unique_tokens',
    'total_tokens',
    'distinct1_pooled',
    'distinct2_pooled',
    'distinct2_per_output',
    'response_diversity',
    'ngram_div',
    'compression',
    'self_bleu',
    'ead',
    ...r.runMetrics.map((m) => `run:${m.name}`),
  ];
  const rows = r.windows.map((w) => [
    w.label,
    w.sessions,
    w.metrics.unique_tokens,
    w.metrics.total_tokens,
    w.metrics.distinct1_pooled,
    w.metrics.distinct2_pooled,
    w.metrics.distinct2_per_output,
    w.metrics.response_diversity,
    w.metrics.ngram_diversity_score,
    w.metrics.compression_ratio,
    w.metrics.self_bleu,
    w.metrics.ead,
    ...r.runMetrics.map((m) => m.values.find((v) => v.step === w.index)?.value ?? null),
  ]);
  write(`${renderTable(headers, rows)}\n`);
  const fl = r.firstLast;
  if (fl) {
    write(
      `\nfirst vs last ${fl.equalSize ? 'full ' : ''}window (${fl.firstWindow} → ${fl.lastWindow}` +
        `${fl.setAside ? `; ${fl.setAside.window}, ${fl.setAside.sessions} sessions, set aside` : ''}): ` +
        `vocabulary ${fl.unique_tokens.first} → ${fl.unique_tokens.last}, ` +
        `response diversity ${fixed(fl.response_diversity.first)} → ${fixed(fl.response_diversity.last)}, ` +
        `distinct2_per_output ${fixed(fl.distinct2_per_output.first)} → ${fixed(fl.distinct2_per_output.last)}\n`,
    );
  }
  for (const m of r.runMetrics)
    write(
      `the run's own ${m.name} (logged per step): ${fixed(m.first!.value)} at step ${m.first!.step} → ` +
        `${fixed(m.last!.value)} at step ${m.last!.step}\n`,
    );
  write(
    `sample: ${r.sample.size} outputs per window (seed ${r.sample.seed}); Self-BLEU on ${r.sample.selfBleuSize} of them\n`,
  );
  printMissing(r.missing, write);
}
