import { stableStringify } from '../model/stable-stringify.ts';
import type { AnalysisScans } from './scans/index.ts';
import type { Store } from './store.ts';

/**
 * A view of `store` whose scans run once per distinct arguments: the analyses of one audit ask for the
 * same aggregates (the run's layers, the per-window token counts that diversity and length drift both read,
 * the event list) and get one engine pass each. Scans only read, so sharing a result is safe while the run
 * does not change; use one view per audit or command, not across an ingest.
 *
 * @example const shared = withMemoizedScans(store); await shared.scans.runLayers('wild-7') // scanned once
 */
export function withMemoizedScans(store: Store): Store {
  const memo = new Map<string, Promise<unknown>>();
  const scans = new Proxy(store.scans, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const key = `${String(name)}:${stableStringify(args)}`;
        let result = memo.get(key);
        if (!result) {
          result = (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          // a failed scan is not remembered: the next caller gets its own error (or success)
          result.catch(() => memo.delete(key));
          memo.set(key, result);
        }
        return result;
      };
    },
  }) as AnalysisScans;
  return new Proxy(store, {
    get(target, name) {
      if (name === 'scans') return scans;
      const value = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
