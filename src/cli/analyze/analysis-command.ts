import { type Command, InvalidArgumentError, Option } from 'commander';
import type { z } from 'zod';
import type { AnyAnalysis } from '../../analyses/analysis.ts';
import { describeParam, validateParams } from '../../analyses/params.ts';
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

const kebab = (key: string): string => key.replace(/_/g, '-');

/**
 * The command-line form of an analysis's parameters, derived from its schema: `low_threshold` becomes
 * `--low-threshold <x>`, a boolean that defaults to true becomes `--no-NAME`, a list takes `a,b,c` (or
 * repeats, for texts that may contain commas).
 */
export function cliParams(analysis: AnyAnalysis): CliParam[] {
  return Object.entries(analysis.params.shape as Record<string, z.ZodType>).map(([key, schema]) => {
    const p = describeParam(schema);
    return {
      key,
      flag: `--${kebab(p.meta.flag ?? key)}`,
      kind: p.kind,
      ...(p.element ? { element: p.element } : {}),
      ...(p.choices ? { choices: p.choices } : {}),
      repeatable: p.meta.repeatable === true,
      description: p.meta.description ?? key,
      value: p.meta.value ?? (p.kind === 'number' ? 'n' : 'value'),
      defaultValue: p.defaultValue,
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
      const { window, rule, warning } = chooseCliWindows(
        opts,
        layers,
        analysis.windows,
        analysis.sessionWindows,
      );
      if (warning) process.stderr.write(`rlaudit: ${warning}\n`);
      const result = await new AnalysisResults(store, opts.run, window).get(analysis, checked.value);
      if (opts.json) printJson(result);
      else {
        if (analysis.windows !== 'none') process.stdout.write(`windows: ${rule}\n`);
        analysis.table(result, (text) => process.stdout.write(text));
      }
    });
  });
}
