import { stableStringify } from '../model/stable-stringify.ts';
import type { AnalysisScans } from './scans/index.ts';
import type { Store } from './store.ts';

/** Scans whose results are also kept in the store's result cache: whole-run aggregates, small and JSON-safe. */
export const PERSISTED_SCANS: ReadonlySet<string> = new Set([
  'runLayers',
  'sessionIndex',
  'textWindowCounts',
  'classificationWindowCounts',
  'detectorWindowCounts',
  'detectorConfusion',
  'rewardWindows',
  'rewardScale',
]);

/**
 * Scans that are not shared: each call reads one batch of output texts that one analysis asks for once (the
 * diversity sample: 40 windows a call). Remembering them would keep the whole sample in memory until the
 * audit ends (400,000 outputs of a 1M-session run: the audit's heap grew by ~300 MiB, measured).
 */
export const UNSHARED_SCANS: ReadonlySet<string> = new Set(['sampleOutputs']);

/** Where persisted scan results go: the run, its content fingerprint, and a prefix naming the code. */
export interface ScanPersistence {
  readonly run: string;
  readonly fingerprint: () => Promise<string>;
  readonly prefix: string;
  readonly stringify: (value: unknown) => string;
  readonly parse: (text: string) => unknown;
}

/**
 * A view of `store` whose scans run once per distinct arguments: the analyses of one audit ask for the
 * same aggregates (the run's layers, the per-window token counts that diversity and length drift both read,
 * the event list) and get one engine pass each. Scans only read, so sharing a result is safe while the run
 * does not change; use one view per audit or command, not across an ingest.
 *
 * With `persist`, the whole-run aggregates of {@link PERSISTED_SCANS} of that run are also kept in the
 * store's result cache under the run's content fingerprint, so the next audit of the unchanged run reads
 * them instead of scanning.
 *
 * @example const shared = withMemoizedScans(store); await shared.scans.runLayers('wild-7') // scanned once
 */
export function withMemoizedScans(store: Store, persist?: ScanPersistence): Store {
  const memo = new Map<string, Promise<unknown>>();
  const scans = new Proxy(store.scans, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      if (UNSHARED_SCANS.has(String(name))) return value.bind(target);
      return (...args: unknown[]) => {
        const key = `${String(name)}:${stableStringify(args)}`;
        let result = memo.get(key);
        if (!result) {
          const scan = () =>
            (value as (...a: unknown[]) => Promise<unknown>).apply(target, args) as Promise<unknown>;
          result =
            persist && PERSISTED_SCANS.has(String(name)) && args[0] === persist.run
              ? persisted(store, persist, `${persist.prefix}|scan|${key}`, scan)
              : scan();
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

async function persisted(
  store: Store,
  persist: ScanPersistence,
  key: string,
  scan: () => Promise<unknown>,
): Promise<unknown> {
  const fingerprint = await persist.fingerprint();
  const hit = await store.results.get(persist.run, fingerprint, key);
  if (hit !== null) return persist.parse(hit);
  const value = await scan();
  await store.results.put(persist.run, fingerprint, key, persist.stringify(value));
  return value;
}
