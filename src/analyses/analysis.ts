import type { z } from 'zod';
import type { ChartData } from '../model/findings.ts';
import type { WindowSpec } from '../model/windows.ts';
import type { Store } from '../store/store.ts';
import type { AssessContext, AssessedAnalysis, Thresholds } from './shared/assessment.ts';
import type { ChartAxis, ChartEvent, RunMetricValue } from './shared/chart-specs.ts';
import type { LiveFacet } from './shared/live.ts';

/** The parameters of an analysis: a zod object whose keys are the template's `params:` names. */
export type ParamsSchema = z.ZodObject;

/**
 * How a parameter appears on the command line, beside its description (zod `.meta()`):
 * `flag` renames it (default: the key in kebab-case), `repeatable` takes `--flag a --flag b` for a list
 * whose items may contain commas (phrases), `value` names the value in `--help`.
 *
 * @example z.array(z.string()).default([]).meta({ description: 'a target phrase', flag: 'phrase', repeatable: true })
 */
export interface ParamMeta {
  readonly description: string;
  readonly flag?: string;
  readonly repeatable?: boolean;
  readonly value?: string;
}

/** Which window options an analysis takes: any, session windows only, or none (a fixed range or the run). */
export type WindowSupport = 'any' | 'session' | 'none';

/** An analysis another one declares it reads, by its definition: the result arrives typed. */
// biome-ignore lint/suspicious/noExplicitAny: a definition of any parameters and result is a valid dependency
export type AnyAnalysis = AnalysisDefinition<any, any, any>;
/** The result type of an analysis definition (what its `run` resolves to). */
export type ResultOf<A> = A extends { run(...args: never[]): Promise<infer R> } ? R : never;
export type Dependencies = Readonly<Record<string, AnyAnalysis>>;
export type DependencyResults<D extends Dependencies> = { readonly [K in keyof D]: ResultOf<D[K]> };
export type OptionalResults<D extends Dependencies> = { readonly [K in keyof D]: ResultOf<D[K]> | null };

/** What an analysis's run receives: the store, the run, the windows, and its dependencies' results. */
export interface RunContext<D extends Dependencies> {
  readonly store: Store;
  readonly run: string;
  readonly window: WindowSpec;
  /** Results of `dependsOn`, each run with its default parameters on the same windows. */
  readonly deps: DependencyResults<D>;
}

/** What chart builders receive: the run's calibration events, and the results of `chartsUse` when run. */
export interface ChartContext<U extends Dependencies> {
  readonly events: readonly ChartEvent[];
  /** The x axis: sessions, or training steps when the audit's windows are steps. */
  readonly axis: ChartAxis;
  /** The run's own per-step metrics (empty when none were ingested): drawn beside rlaudit's measures. */
  readonly runMetrics: readonly RunMetricValue[];
  /** Results of `chartsUse` analyses as the audit ran them (first step of the template), null when not run. */
  readonly uses: OptionalResults<U>;
}

/**
 * One analysis, whole: its parameters, how it reads the store, how its result becomes findings, chart data
 * and a terminal table. Registered once in src/analyses/registry.ts; templates, `rlaudit analyze NAME`,
 * the audit runner, the report's charts and docs/analyses.md all derive from the registry.
 */
export interface AnalysisDefinition<
  P extends ParamsSchema,
  R,
  D extends Dependencies = Record<never, never>,
  U extends Dependencies = Record<never, never>,
> {
  readonly name: string;
  /** One line for `--help`, the docs table and the CLI reference. */
  readonly summary: string;
  /** Text shown after the options in `rlaudit analyze NAME --help`: examples, definitions link. */
  readonly help: string;
  readonly params: P;
  /** The assessment thresholds a template's `assess:` map may set, with their defaults. */
  readonly thresholds: z.ZodObject;
  /** Its live monitors for `rlaudit watch`, defined beside it (src/analyses/shared/live.ts); absent: none. */
  readonly live?: LiveFacet;
  readonly windows: WindowSupport;
  /**
   * For `windows: 'session'`: what a window of W sessions is to this analysis, in the words the CLI and the
   * docs show (default: the horizon around each event).
   */
  readonly sessionWindows?: string;
  /** Analyses whose default-parameter results this one reads, by definition. */
  readonly dependsOn?: D;
  /** Analyses whose results the charts draw on when the audit runs them (never run for the charts' sake). */
  readonly chartsUse?: U;
  run(context: RunContext<D>, params: z.output<P>): Promise<R>;
  assess(result: R, thresholds: Thresholds, context: AssessContext): AssessedAnalysis;
  charts(result: R, context: ChartContext<U>): ChartData[];
  /** The terminal rendering of `rlaudit analyze NAME` (lines go to `out`). */
  table(result: R, out: (text: string) => void): void;
}

/**
 * Declares an analysis (an identity function that keeps the definition's types for the registry).
 *
 * @example
 * export const convergenceAnalysis = defineAnalysis({ name: 'convergence', params: z.object({}), … });
 */
export function defineAnalysis<
  P extends ParamsSchema,
  R,
  D extends Dependencies = Record<never, never>,
  U extends Dependencies = Record<never, never>,
>(definition: AnalysisDefinition<P, R, D, U>): AnalysisDefinition<P, R, D, U> {
  return definition;
}
