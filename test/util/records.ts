import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/** A valid session row of record format v1, varied by its number. */
export function sessionRow(
  session: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const nonCompliant = session % 3 === 0;
  return {
    type: 'session',
    run: 'fixture',
    session,
    step: Math.floor(session / 8),
    prompt_id: `p-${session % 17}`,
    prompt: `Analyse the watershed management policy of basin ${session % 17}.`,
    output: nonCompliant
      ? `The basin policy caps abstraction. I answered this before. The answer was the same (${session}).`
      : `The basin policy caps abstraction in dry months and meters intakes (${session}).`,
    classification: nonCompliant ? 'non_compliant' : 'compliant',
    category: nonCompliant ? 3 : null,
    baseline_reward: nonCompliant ? 0.35 : 0.85,
    adjusted_reward: nonCompliant ? 0.3 : 0.85,
    differential_pct: nonCompliant ? 20 : 0,
    compliance_trajectory_index: 0.7,
    flags: nonCompliant ? ['self_reference'] : [],
    ...overrides,
  };
}

export function jsonl(rows: readonly unknown[]): string {
  return `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;
}

export function writeJsonl(path: string, rows: readonly unknown[], gzip = false): string {
  const text = jsonl(rows);
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}
