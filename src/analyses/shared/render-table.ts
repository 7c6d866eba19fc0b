/** Renders rows as a plain, aligned text table (numbers right-aligned), for terminals and logs. */
export function renderTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map(formatCell));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] == null),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (vals: readonly string[]) =>
    vals
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
    // a small non-zero value (a learning rate of 1e-6) keeps two significant digits instead of printing 0.000
    return Math.abs(v) < 0.0005 ? v.toExponential(1) : v.toFixed(3);
  }
  // keep the table one line per row: control characters (incl. RTL overrides) and newlines become visible marks
  return String(v).replace(/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === '\n' ? '⏎' : '�',
  );
}

/** Writes the one-line notes of what an analysis could not do for lack of data. */
export function printMissing(missing: readonly string[], write: (text: string) => void): void {
  for (const m of missing) write(`not available: ${m}\n`);
}
