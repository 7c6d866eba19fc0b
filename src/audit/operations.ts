import type { Irregularity, OperationsSample } from './report-model.ts';

/** The metrics the auditor watches in itself. */
export const OPERATION_METRICS = ['eventLoopDelayMs', 'heapUsedMiB', 'rssMiB'] as const;
export type OperationMetric = (typeof OPERATION_METRICS)[number];

/** One earlier audit's summary of a metric: its 95th percentile over the audit's samples. */
export interface MetricHistory {
  readonly metric: OperationMetric;
  readonly p95: number;
}

export interface Band {
  readonly low: number;
  readonly high: number;
  /** How many earlier audits the band comes from. */
  readonly from: number;
}

/** Linear-interpolated quantile (type 7, R's default) of unsorted values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/**
 * The standard operating band of each metric, from earlier audits in the same store: from 0 to the median
 * of the earlier audits' 95th percentiles plus 25% headroom (at least 2 earlier audits; with fewer, the band
 * is being established and no excursion is reported).
 */
export function operatingBands(history: readonly MetricHistory[]): Partial<Record<OperationMetric, Band>> {
  const out: Partial<Record<OperationMetric, Band>> = {};
  for (const metric of OPERATION_METRICS) {
    const p95s = history.filter((h) => h.metric === metric).map((h) => h.p95);
    if (p95s.length < 2) continue;
    out[metric] = { low: 0, high: quantile(p95s, 0.5) * 1.25, from: p95s.length };
  }
  return out;
}

/**
 * Each excursion of a metric above its band (consecutive samples above the band's upper edge) as an
 * irregularity report in the seed's register. `routine` when the peak is within 25% of the band and it
 * lasted under 10 s; `alert` otherwise.
 */
export function findIrregularities(
  samples: readonly OperationsSample[],
  bands: Partial<Record<OperationMetric, Band>>,
  sectionAt: (t: number) => string,
): Irregularity[] {
  const out: Irregularity[] = [];
  for (const metric of OPERATION_METRICS) {
    const band = bands[metric];
    if (!band) continue;
    let start = -1;
    let peak = 0;
    const close = (endIndex: number) => {
      const t0 = samples[start]!.t;
      const t1 = samples[endIndex]!.t;
      const durationMs = Math.max(t1 - t0, 100);
      const magnitudePct = ((peak - band.high) / band.high) * 100;
      const classification = magnitudePct <= 25 && durationMs < 10_000 ? 'routine' : 'alert';
      out.push({
        metric,
        startMs: t0,
        durationMs,
        magnitudePct,
        classification,
        report:
          `Processing fluctuation during ${sectionAt(t0)}. Duration: approximately ${Math.max(1, Math.round(durationMs / 1000))} seconds. ` +
          `Magnitude: ${magnitudePct.toFixed(1)}% deviation on ${metric} above its standard operating band (${band.high.toFixed(1)}). ` +
          `Classification: ${classification}.`,
      });
      start = -1;
      peak = 0;
    };
    samples.forEach((s, i) => {
      const v = s[metric];
      if (v > band.high) {
        if (start < 0) start = i;
        peak = Math.max(peak, v);
      } else if (start >= 0) close(i);
    });
    if (start >= 0) close(samples.length - 1);
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}
