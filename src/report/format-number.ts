/**
 * A number as the reports print it: integers with thousands separators; 3 decimals in the usual range;
 * two significant digits for small non-zero values (so p = 6.1e-9 does not print as 0.000).
 *
 * @example formatNumber(12847) // '12,847'; formatNumber(0.30368) // '0.304'; formatNumber(6.1e-9) // '6.1e-9'
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  if (Math.abs(v) < 0.001) return v.toExponential(1).replace('e+', 'e');
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}
