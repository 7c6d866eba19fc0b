/**
 * The value of a piecewise-linear schedule at `session`: linear between the [session, value] points,
 * constant before the first and after the last.
 *
 * @example scheduleValue([[0, 1], [100, 3]], 50) // 2
 */
export function scheduleValue(points: readonly (readonly [number, number])[], session: number): number {
  if (points.length === 0) return 1;
  const first = points[0]!;
  if (session <= first[0]) return first[1];
  for (let i = 1; i < points.length; i++) {
    const [s1, v1] = points[i]!;
    if (session <= s1) {
      const [s0, v0] = points[i - 1]!;
      return v0 + ((v1 - v0) * (session - s0)) / (s1 - s0);
    }
  }
  return points[points.length - 1]![1];
}
