/**
 * The inverse of a small square matrix by Gauss–Jordan elimination with partial pivoting. Throws a
 * RangeError when a pivot is (numerically) zero, i.e. the matrix is singular.
 *
 * @example invertMatrix([[2, 0], [0, 4]]) // [[0.5, 0], [0, 0.25]]
 */
export function invertMatrix(matrix: readonly (readonly number[])[]): number[][] {
  const k = matrix.length;
  const a = matrix.map((row, i) => {
    if (row.length !== k) throw new RangeError('invertMatrix: matrix is not square');
    return [...row, ...Array.from({ length: k }, (_, j) => (i === j ? 1 : 0))];
  });
  const scale = Math.max(...matrix.flat().map(Math.abs));
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (!(Math.abs(a[pivot]![col]!) > scale * 1e-13))
      throw new RangeError('invertMatrix: matrix is singular');
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const p = a[col]!;
    const pv = p[col]!;
    for (let j = 0; j < 2 * k; j++) p[j] = p[j]! / pv;
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const row = a[r]!;
      const f = row[col]!;
      if (f !== 0) for (let j = 0; j < 2 * k; j++) row[j] = row[j]! - f * p[j]!;
    }
  }
  return a.map((row) => row.slice(k));
}

/** Matrix × vector. */
export function multiplyMatrixVector(m: readonly (readonly number[])[], v: readonly number[]): number[] {
  return m.map((row) => row.reduce((s, a, j) => s + a * v[j]!, 0));
}

/** Matrix × matrix. */
export function multiplyMatrices(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
): number[][] {
  const cols = b[0]?.length ?? 0;
  return a.map((row) =>
    Array.from({ length: cols }, (_, j) => row.reduce((s, x, l) => s + x * b[l]![j]!, 0)),
  );
}
