import type { Store } from '../../store/store.ts';

/**
 * The cluster range when none is given: around the run's first recalibration (90 sessions before, 60
 * after: the seed's 4,800–4,950 around 4,891), else around its first scheduled adjustment, else the first
 * 150 sessions.
 */
export async function defaultClusterRange(store: Store, run: string): Promise<{ from: number; to: number }> {
  const events = await store.scans.listEvents(run);
  const anchor = events.find((e) => e.kind === 'recalibration') ?? events[0];
  if (anchor) return { from: Math.max(1, anchor.session - 90), to: anchor.session + 60 };
  const layers = await store.scans.runLayers(run);
  const first = layers.firstSession ?? 1;
  return { from: first, to: first + 149 };
}
