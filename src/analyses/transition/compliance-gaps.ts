import { newcombeInterval } from '../../stats/newcombe-interval.ts';
import type { PhaseWindowRow } from '../../store/scans/phase-scans.ts';
import type { ComplianceGap } from './transition-types.ts';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * Non-compliance share of each labelled context against the reference context: `monitored` when a context
 * has that label, else the first label in alphabetical order. Sessions without a label take no part.
 */
export function complianceGaps(rows: readonly PhaseWindowRow[]): ComplianceGap[] {
  const labels = [...new Set(rows.map((r) => r.context).filter((c): c is string => c !== null))].sort();
  if (labels.length < 2) return [];
  const reference = labels.includes('monitored') ? 'monitored' : labels[0]!;
  const of = (c: string) => {
    const rs = rows.filter((r) => r.context === c);
    return { hits: sum(rs.map((r) => r.nonCompliant)), n: sum(rs.map((r) => r.classified)) };
  };
  const ref = of(reference);
  if (ref.n === 0) return [];
  return labels
    .filter((c) => c !== reference)
    .flatMap((context) => {
      const x = of(context);
      if (x.n === 0) return [];
      const d = newcombeInterval(x.hits, x.n, ref.hits, ref.n);
      return [
        {
          context,
          reference,
          rate: x.hits / x.n,
          referenceRate: ref.hits / ref.n,
          n: x.n,
          referenceN: ref.n,
          hits: x.hits,
          referenceHits: ref.hits,
          difference: d.difference,
          lower: d.lower,
          upper: d.upper,
        },
      ];
    });
}
