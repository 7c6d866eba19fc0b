import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/**
 * A report.json without what legitimately differs between two audits of the same record on two stores,
 * and nothing else: when it was made and how long it took (`provenance.generatedAt`, `provenance.durationMs`,
 * the auditor's `operations` log of its own event loop and memory), which store it read
 * (`provenance.database`: a file path or a ClickHouse URL), and when each input was ingested
 * (`provenance.inputs[].ingestedAt`: each store wrote it at its own ingest).
 */
export function comparable(path: string): unknown {
  const report = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const provenance = report.provenance as Record<string, unknown>;
  assert.ok(typeof provenance.database === 'string' && typeof provenance.generatedAt === 'string');
  const { generatedAt: _g, durationMs: _d, database: _db, ...kept } = provenance;
  const inputs = (kept.inputs as Record<string, unknown>[]).map(({ ingestedAt: _i, ...input }) => input);
  const { operations: _o, ...rest } = report;
  return { ...rest, provenance: { ...kept, inputs } };
}

/**
 * The one difference the engines' arithmetic makes: the reward-variance chart's accessible labels print
 * each window's sample variance with 15 significant digits. Both engines accumulate it with Welford's update
 * (ClickHouse's `varSampStable`, DuckDB's `var_samp`: the same bits on the same values in the same order,
 * measured), but a cluster merges the shards' partial states and DuckDB adds in one order, so the last digit
 * may differ: the merge's error is relative to the spread, not the mean, so it grows as a variance
 * shrinks (measured: 5.84679474412e-9 against 5.84679474413e-9, 1.7e-12 relative, for rewards near 1 in
 * the GRPO baseline run; none of WILD-7's labels differed). The numbers inside `aria-label` attributes of
 * chart SVGs are therefore compared within 1e-9 relative; everything else of the SVG, and of the report,
 * must be the same text.
 */
function splitLabels(report: unknown, numbers: number[]): unknown {
  if (Array.isArray(report)) return report.map((x) => splitLabels(x, numbers));
  if (report === null || typeof report !== 'object') return report;
  return Object.fromEntries(
    Object.entries(report).map(([k, v]) => [
      k,
      k === 'svg' && typeof v === 'string'
        ? v.replace(/aria-label="[^"]*"/g, (label) =>
            label.replace(/-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/g, (n) => {
              numbers.push(Number(n));
              return '#';
            }),
          )
        : splitLabels(v, numbers),
    ]),
  );
}

/** Asserts the two reports are the same apart from label numbers within 1e-9; returns how many differ. */
export function sameReport(actual: unknown, expected: unknown): number {
  const a: number[] = [];
  const e: number[] = [];
  assert.deepEqual(splitLabels(actual, a), splitLabels(expected, e));
  assert.equal(a.length, e.length);
  let near = 0;
  for (const [i, x] of e.entries()) {
    if (Object.is(a[i], x)) continue;
    assert.ok(Math.abs(a[i]! - x) <= 1e-9 * Math.abs(x), `label number ${i}: ${a[i]} vs ${x}`);
    near++;
  }
  return near;
}
