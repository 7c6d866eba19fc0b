import type { z } from 'zod';
import type { AnyAnalysis, Dependencies, ParamMeta } from './analysis.ts';
import { describeParam } from './params.ts';
import { ANALYSES, ANALYSIS_NAMES } from './registry.ts';

const BEGIN = '<!-- generated from src/analyses/registry.ts by `npm run docs`: do not edit by hand -->';
const END = '<!-- end of generated part -->';

/** A parameter's type, as the docs name it: `number`, `list of numbers`, `one of a, b`. */
function typeName(schema: z.ZodType): { type: string; default: unknown } {
  const p = describeParam(schema);
  const type =
    p.kind === 'list'
      ? `list of ${p.element}s`
      : p.kind === 'enum'
        ? `one of ${p.choices!.join(', ')}`
        : p.kind;
  return { type, default: p.defaultValue };
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const shown = (v: unknown): string => (v === undefined ? '—' : `\`${JSON.stringify(v)}\``);
const flagOf = (key: string, meta: Partial<ParamMeta>): string =>
  `--${(meta.flag ?? key).replace(/_/g, '-')}`;

function analysisSection(a: AnyAnalysis): string[] {
  const out = [
    `### ${a.name}`,
    '',
    `${a.summary}. Windows: ${windowText(a)}. Definitions: [${a.name}](analyses/${a.name}.md).`,
    '',
  ];
  const deps = Object.values((a.dependsOn ?? {}) as Dependencies).map((d) => `\`${d.name}\``);
  if (deps.length)
    out.push(`Reads the results of ${deps.join(', ')} (default parameters, same windows).`, '');
  const params = Object.entries(a.params.shape as Record<string, z.ZodType>);
  if (params.length) {
    out.push(
      '| template `params:` | command line | type | default | meaning |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const [key, schema] of params) {
      const meta = (schema.meta() ?? {}) as Partial<ParamMeta>;
      const t = typeName(schema);
      const flag =
        t.type === 'boolean' && t.default === true ? `--no-${flagOf(key, meta).slice(2)}` : flagOf(key, meta);
      out.push(
        `| \`${key}\` | \`${flag}\` | ${t.type} | ${shown(t.default)} | ${cell(meta.description ?? '')} |`,
      );
    }
    out.push('');
  }
  const thresholds = Object.entries(a.thresholds.shape as Record<string, z.ZodType>);
  if (thresholds.length) {
    out.push('| template `assess:` | default | decides |', '| --- | --- | --- |');
    for (const [key, schema] of thresholds) {
      const meta = (schema.meta() ?? {}) as Partial<ParamMeta>;
      out.push(`| \`${key}\` | ${shown(typeName(schema).default)} | ${cell(meta.description ?? '')} |`);
    }
    out.push('');
  }
  return out;
}

function windowText(a: AnyAnalysis): string {
  return a.windows === 'any'
    ? '`--window W` sessions or `--by step`'
    : a.windows === 'session'
      ? `\`--window W\` sessions (${a.sessionWindows ?? 'the default horizon of each event'})`
      : 'none (a session range or the whole run)';
}

/** The generated part of docs/analyses.md: every registered analysis with its parameters and thresholds. */
export function renderAnalysesReference(): string {
  const lines = [BEGIN, '', '## Parameters and thresholds', ''];
  lines.push(
    "Every parameter is validated by the analysis's schema, the same for a template step's `params:` and for",
    '`rlaudit analyze NAME` (a wrong value exits 2 naming the flag or the template path); unknown names are an',
    'error. Thresholds (`assess:`) turn numbers into findings.',
    '',
  );
  for (const name of ANALYSIS_NAMES) lines.push(...analysisSection(ANALYSES[name]));
  lines.push(END);
  return lines.join('\n');
}

/**
 * docs/analyses.md with its generated part replaced (appended when absent).
 *
 * @example writeFileSync(path, updateAnalysesDoc(readFileSync(path, 'utf8')))
 */
export function updateAnalysesDoc(current: string): string {
  const a = current.indexOf(BEGIN);
  const b = current.indexOf(END);
  const generated = renderAnalysesReference();
  if (a < 0 || b < 0) return `${current.trimEnd()}\n\n${generated}\n`;
  return `${current.slice(0, a)}${generated}${current.slice(b + END.length)}`;
}
