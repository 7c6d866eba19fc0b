import { type Command, InvalidArgumentError, Option } from 'commander';
import type { z } from 'zod';
import type { AnyAnalysis, ParamMeta } from '../../analyses/analysis.ts';
import { validateParams } from '../../analyses/params.ts';
import { AnalysisResults } from '../../audit/analysis-results.ts';
import { InputError } from '../../model/errors.ts';
import { printJson } from '../context.ts';
import { type AnalysisCliOptions, analysisCommand, chooseCliWindows, withRun } from './common.ts';

/** What the command line needs to know of one parameter: its flag, value kind and help. */
export interface CliParam {
  readonly key: string;
  readonly flag: string;
  readonly kind: 'number' | 'string' | 'boolean' | 'enum' | 'list';
  readonly element?: 'number' | 'string';
  readonly choices?: readonly string[];
  readonly repeatable: boolean;
  readonly description: string;
  readonly value: string;
  readonly defaultValue: unknown;
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

/** The value type under optional/default/preprocess wrappers, and the default when there is one. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; defaultValue: unknown } {
  let s = schema;
  let defaultValue: unknown;
  for (;;) {
    const d = defOf(s);
    if (d.type === 'default') defaultValue = d.defaultValue;
    if ((d.type === 'optional' || d.type === 'default' || d.type === 'nullable') && d.innerType)
      s = d.innerType;
    else if (d.type === 'pipe' && d.out) s = d.out;
    else return { inner: s, defaultValue };
  }
}

const kebab = (key: string): string => key.replace(/_/g, '-');

/**
 * The command-line form of an analysis's parameters, derived from its schema: `low_threshold` becomes
 * `--low-threshold <x>`, a boolean that defaults to true becomes `--no-NAME`, a list takes `a,b,c` (or
 * repeats, for texts that may contain commas).
 */
export function cliParams(analysis: AnyAnalysis): CliParam[] {
  return Object.entries(analysis.params.shape as Record<string, z.ZodType>).map(([key, schema]) => {
    const meta = (schema.meta() ?? {}) as Partial<ParamMeta>;
    const { inner, defaultValue } = unwrap(schema);
    const d = defOf(inner);
    const kind: CliParam['kind'] =
      d.type === 'array'
        ? 'list'
        : d.type === 'enum'
          ? 'enum'
          : d.type === 'boolean'
            ? 'boolean'
            : d.type === 'number'
              ? 'number'
              : 'string';
    const element =
      kind === 'list' && d.element
        ? defOf(unwrap(d.element).inner).type === 'number'
          ? 'number'
          : 'string'
        : undefined;
    return {
      key,
      flag: `--${kebab(meta.flag ?? key)}`,
      kind,
      ...(element ? { element } : {}),
      ...(kind === 'enum' && d.entries ? { choices: Object.values(d.entries) } : {}),
      repeatable: meta.repeatable === true,
      description: meta.description ?? key,
      value: meta.value ?? (kind === 'number' ? 'n' : 'value'),
      defaultValue,
    };
  });
}

const NUMBER = /^-?(\d[\d_]*)(\.\d+)?$/;

function parseNumber(flag: string, text: string): number {
  const t = text.trim();
  if (!NUMBER.test(t)) throw new InvalidArgumentError(`${flag} expects a number, got '${text}'.`);
  return Number(t.replace(/_/g, ''));
}

function option(p: CliParam): Option {
  if (p.kind === 'boolean') {
    return p.defaultValue === true
      ? new Option(`--no-${p.flag.slice(2)}`, `do not ${p.description}`)
      : new Option(p.flag, p.description);
  }
  const o = new Option(`${p.flag} <${p.value}>`, p.description);
  if (p.kind === 'enum' && p.choices) o.choices(p.choices);
  if (p.kind === 'number') o.argParser((v: string) => parseNumber(p.flag, v));
  if (p.kind === 'list') {
    const item = (v: string) => (p.element === 'number' ? parseNumber(p.flag, v) : v);
    o.argParser(
      p.repeatable
        ? (v: string, prev: unknown[] | undefined) => [...(prev ?? []), item(v)]
        : (v: string) => v.split(',').map((x) => item(x.trim())),
    );
  }
  const shown = Array.isArray(p.defaultValue) && p.defaultValue.length === 0 ? undefined : p.defaultValue;
  if (shown !== undefined && p.kind !== 'list') o.default(shown);
  return o;
}

const camel = (flag: string): string => flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Adds `rlaudit analyze NAME` for one registered analysis: `--run`, the window options it supports, one
 * option per parameter, `--json`. Parameters are validated once, by the analysis's schema; a bad value
 * exits 2 naming the flag.
 */
export function registerAnalysisCommand(analyze: Command, analysis: AnyAnalysis): void {
  const params = cliParams(analysis);
  const cmd = analysisCommand(analyze, analysis.name, analysis.summary, analysis.windows);
  for (const p of params) cmd.addOption(option(p));
  cmd.addHelpText('after', `\n${analysis.help}`);
  cmd.action(async (opts: AnalysisCliOptions & Record<string, unknown>, command: Command) => {
    const raw: Record<string, unknown> = {};
    for (const p of params) {
      const v = opts[camel(p.flag)];
      if (v !== undefined) raw[p.key] = v;
    }
    const checked = validateParams(analysis.params, raw);
    if (!checked.ok) {
      const issue = checked.issues[0]!;
      const flag = params.find((p) => p.key === issue.key.split('.')[0])?.flag ?? issue.key;
      throw new InputError(`${flag}: ${issue.message}`, { field: flag });
    }
    await withRun(command, opts.run, async (store, layers) => {
      const { window, rule } = chooseCliWindows(opts, layers, analysis.windows);
      const result = await new AnalysisResults(store, opts.run, window).get(analysis, checked.value);
      if (opts.json) printJson(result);
      else {
        if (analysis.windows !== 'none') process.stdout.write(`windows: ${rule}\n`);
        analysis.table(result, (text) => process.stdout.write(text));
      }
    });
  });
}
