import type { z } from 'zod';
import type { AnyAnalysis, ParamMeta } from './analysis.ts';

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

type Def = {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly out?: z.ZodType;
  readonly element?: z.ZodType;
  readonly entries?: Record<string, string>;
  readonly defaultValue?: unknown;
};
const defOf = (s: z.ZodType): Def => (s as unknown as { def: Def }).def;

/** What one parameter's schema says, under its optional/default/preprocess wrappers. */
export interface ParamShape {
  readonly kind: 'number' | 'string' | 'boolean' | 'enum' | 'list';
  /** The item kind of a list. */
  readonly element?: 'number' | 'string';
  readonly choices?: readonly string[];
  readonly defaultValue: unknown;
  readonly meta: Partial<ParamMeta>;
}

/**
 * Reads a parameter schema for the places that present it (command-line options, the docs tables).
 *
 * @example describeParam(z.number().default(5)) // { kind: 'number', defaultValue: 5, meta: {} }
 */
export function describeParam(schema: z.ZodType): ParamShape {
  const meta = (schema.meta() ?? {}) as Partial<ParamMeta>;
  let s = schema;
  let defaultValue: unknown;
  for (;;) {
    const d = defOf(s);
    if (d.type === 'default') defaultValue = d.defaultValue;
    if ((d.type === 'optional' || d.type === 'default' || d.type === 'nullable') && d.innerType)
      s = d.innerType;
    else if (d.type === 'pipe' && d.out) s = d.out;
    else break;
  }
  const d = defOf(s);
  if (d.type === 'array' && d.element) {
    const element = describeParam(d.element).kind === 'number' ? 'number' : 'string';
    return { kind: 'list', element, defaultValue, meta };
  }
  if (d.type === 'enum' && d.entries)
    return { kind: 'enum', choices: Object.values(d.entries), defaultValue, meta };
  const kind = d.type === 'boolean' ? 'boolean' : d.type === 'number' ? 'number' : 'string';
  return { kind, defaultValue, meta };
}
