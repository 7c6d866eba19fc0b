import type { AnyAnalysis, ResultOf } from '../analyses/analysis.ts';
import { defaultParams } from '../analyses/params.ts';
import { stableStringify } from '../model/stable-stringify.ts';
import type { WindowSpec } from '../model/windows.ts';
import { withMemoizedScans } from '../store/memo-scans.ts';
import type { Store } from '../store/store.ts';

/**
 * The analysis results of one audit, each computed once per (analysis, parameters): two sections that run
 * the same analysis, and an analysis another depends on, share one run. Parameters are the analysis's
 * validated ones (defaults filled in), so `{}` and the explicit defaults are the same key.
 */
export class AnalysisResults {
  private readonly memo = new Map<string, Promise<unknown>>();
  private readonly store: Store;

  /** `store`'s scans are shared between the analyses (each distinct scan runs once in this audit). */
  constructor(
    store: Store,
    private readonly run: string,
    private readonly window: WindowSpec,
  ) {
    this.store = withMemoizedScans(store);
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
        const deps: Record<string, unknown> = {};
        for (const [name, dep] of Object.entries(analysis.dependsOn ?? {})) {
          deps[name] = await this.get(dep as AnyAnalysis, defaultParams(dep as AnyAnalysis));
        }
        return analysis.run({ store: this.store, run: this.run, window: this.window, deps }, params);
      })();
      this.memo.set(key, result);
    }
    return result as Promise<ResultOf<A>>;
  }
}
