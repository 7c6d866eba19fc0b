import type { z } from 'zod';
import type { AnyAnalysis } from './analysis.ts';

/** One problem with one parameter: its name (the schema key) and what was expected. */
export interface ParamIssue {
  readonly key: string;
  readonly message: string;
}

/**
 * Validates parameters against an analysis's schema (defaults filled in). The caller names the source of a
 * problem: a template path (`ConfigError`) or a command-line flag (`InputError`).
 *
 * @example validateParams(ANALYSES.correspondence.params, { max_lag: 'abc' }) // { ok: false, issues: [{ key: 'max_lag', … }] }
 */
export function validateParams<S extends z.ZodObject>(
  schema: S,
  raw: unknown,
): { ok: true; value: z.output<S> } | { ok: false; issues: ParamIssue[] } {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({
      key: i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.map(String).join('.'),
      message:
        i.code === 'unrecognized_keys'
          ? `unknown name (known: ${Object.keys(schema.shape).join(', ') || 'none'})`
          : i.message,
    })),
  };
}

/** The parameters of an analysis with every default filled in (what a template step without `params` runs). */
export function defaultParams(analysis: AnyAnalysis): Record<string, unknown> {
  return analysis.params.parse({}) as Record<string, unknown>;
}
