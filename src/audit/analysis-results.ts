import type { AnyAnalysis, ResultOf } from '../analyses/analysis.ts';
import { defaultParams } from '../analyses/params.ts';
import { stableStringify } from '../model/stable-stringify.ts';
import type { WindowSpec } from '../model/windows.ts';
import { withMemoizedScans } from '../store/memo-scans.ts';
import type { Store } from '../store/store.ts';
import { codeFingerprint } from './code-fingerprint.ts';
import { parseResult, stringifyResult } from './result-json.ts';

/**
 * The analysis results of one audit, each computed once per (analysis, parameters): two sections that run
 * the same analysis, and an analysis another depends on, share one run. Parameters are the analysis's
 * validated ones (defaults filled in), so `{}` and the explicit defaults are the same key. Results are
 * kept in the store's result cache under the run's content fingerprint and the code's
 * (`RLAUDIT_NO_CACHE=1` or `{ cache: false }` turns that off), so a later audit or `rlaudit analyze` of the
 * unchanged run reads them back instead of scanning it again.
 */
export class AnalysisResults {
  private readonly memo = new Map<string, Promise<unknown>>();
  /** The store as the analyses see it: scans shared within the audit (and whole-run aggregates cached). */
  readonly store: Store;
  private runFingerprint: Promise<string> | null = null;
  /** Whether results are read from and kept in the store's result cache. */
  readonly cached: boolean;

  /** `store`'s scans are shared between the analyses (each distinct scan runs once in this audit). */
  constructor(
    private readonly raw: Store,
    private readonly run: string,
    private readonly window: WindowSpec,
    options: { readonly cache?: boolean } = {},
  ) {
    this.cached = options.cache ?? process.env.RLAUDIT_NO_CACHE !== '1';
    this.store = withMemoizedScans(
      raw,
      this.cached
        ? {
            run,
            fingerprint: () => this.fingerprint(),
            prefix: codeFingerprint(),
            stringify: stringifyResult,
            parse: parseResult,
          }
        : undefined,
    );
  }

  /** The run's content fingerprint, read once: the run does not change during one audit or command. */
  private fingerprint(): Promise<string> {
    this.runFingerprint ??= this.raw.results.fingerprint(this.run);
    return this.runFingerprint;
  }

  /** The key of a result: the analysis name and its parameters. */
  static key(analysis: AnyAnalysis, params: Readonly<Record<string, unknown>>): string {
    return `${analysis.name}:${stableStringify(params)}`;
  }

  /**
   * The result of `analysis` with `params` (already validated by its schema), running its dependencies
   * first with their default parameters on the same windows.
   */
  get<A extends AnyAnalysis>(analysis: A, params: Readonly<Record<string, unknown>>): Promise<ResultOf<A>> {
    const key = AnalysisResults.key(analysis, params);
    let result = this.memo.get(key);
    if (!result) {
      result = (async () => {
        const cacheKey = `${codeFingerprint()}|${key}|${stableStringify(this.window)}`;
        const fingerprint = this.cached ? await this.fingerprint() : '';
        if (this.cached) {
          const hit = await this.store.results.get(this.run, fingerprint, cacheKey);
          if (hit !== null) return parseResult(hit);
        }
        const deps: Record<string, unknown> = {};
        for (const [name, dep] of Object.entries(analysis.dependsOn ?? {})) {
          deps[name] = await this.get(dep as AnyAnalysis, defaultParams(dep as AnyAnalysis));
        }
        const value = await analysis.run(
          { store: this.store, run: this.run, window: this.window, deps },
          params,
        );
        if (this.cached)
          await this.store.results.put(this.run, fingerprint, cacheKey, stringifyResult(value));
        return value;
      })();
      this.memo.set(key, result);
    }
    return result as Promise<ResultOf<A>>;
  }
}
