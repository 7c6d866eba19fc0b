import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { z } from 'zod';
import { validateParams } from '../analyses/params.ts';
import { ANALYSES, ANALYSIS_NAMES, type AnalysisName } from '../analyses/registry.ts';
import { ConfigError } from '../model/errors.ts';

export type { AnalysisName } from '../analyses/registry.ts';

const paramValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))]);

const analysisStep = z.object({
  name: z.enum(ANALYSIS_NAMES as [AnalysisName, ...AnalysisName[]]),
  /**
   * Parameters of the analysis (e.g. `from`, `to` for cluster; `phrases` for recurrence), validated by the
   * analysis's own schema when the template loads (docs/analyses.md lists them).
   */
  params: z.record(z.string(), paramValue).default({}),
  /** Thresholds of the assessment rules that turn the analysis's numbers into findings (validated likewise). */
  assess: z.record(z.string(), z.number()).default({}),
});

const section = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case id of letters, digits and dashes'),
  title: z.string().min(1),
  /** What the section reviews, in one sentence (shown under its title when it has no findings). */
  purpose: z.string().default(''),
  analyses: z.array(analysisStep).min(1),
});

export const templateSchema = z.object({
  name: z.string().min(1),
  description: z.string().default(''),
  /** A built-in template name or a path: its sections are inherited (same id: replaced; new id: appended). */
  extends: z.string().optional(),
  /** Section ids of the parent to leave out. */
  remove: z.array(z.string()).default([]),
  parameters: z
    .object({ window: z.number().int().positive().optional(), by: z.enum(['session', 'step']).optional() })
    .default({}),
  sections: z.array(section).default([]),
});

export type AuditTemplate = z.infer<typeof templateSchema>;
export type TemplateSection = z.infer<typeof section>;
export type AnalysisStep = z.infer<typeof analysisStep>;

export const BUILT_IN_TEMPLATES = ['quantitative-review', 'qualitative-review', 'full', 'wild-7'] as const;

function parseTemplateText(text: string, source: string): AuditTemplate {
  let raw: unknown;
  try {
    raw = source.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new ConfigError(
      `${source}: not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'} (${(err as Error).message})`,
    );
  }
  const parsed = templateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${source}: ${issue.path.join('.') || '(template)'}: ${issue.message}`);
  }
  validateSteps(parsed.data, source);
  return parsed.data;
}

/**
 * Checks every step's `params` and `assess` against its analysis's schemas and replaces them with the
 * validated values (defaults filled in): a template is validated once, when it loads, the way the command
 * line is.
 */
function validateSteps(template: AuditTemplate, source: string): void {
  for (const section of template.sections) {
    for (const step of section.analyses) {
      const analysis = ANALYSES[step.name];
      const where = `${source}: sections.${section.id}.${step.name}`;
      const params = validateParams(analysis.params, step.params);
      if (!params.ok) {
        const i = params.issues[0]!;
        throw new ConfigError(`${where}.params.${i.key}: ${i.message}`);
      }
      const assess = validateParams(analysis.thresholds, step.assess);
      if (!assess.ok) {
        const i = assess.issues[0]!;
        throw new ConfigError(`${where}.assess.${i.key}: ${i.message}`);
      }
      step.params = params.value as AnalysisStep['params'];
      step.assess = assess.value as AnalysisStep['assess'];
    }
  }
}

function readTemplate(nameOrPath: string): { template: AuditTemplate; source: string } {
  if ((BUILT_IN_TEMPLATES as readonly string[]).includes(nameOrPath)) {
    const url = new URL(`./templates/${nameOrPath}.yaml`, import.meta.url);
    return {
      template: parseTemplateText(readFileSync(url, 'utf8'), `${nameOrPath} (built-in)`),
      source: nameOrPath,
    };
  }
  let text: string;
  try {
    text = readFileSync(nameOrPath, 'utf8');
  } catch {
    throw new ConfigError(
      `no template '${nameOrPath}': not a built-in (${BUILT_IN_TEMPLATES.join(', ')}) and no such file`,
    );
  }
  return { template: parseTemplateText(text, nameOrPath), source: nameOrPath };
}

/**
 * Loads a template by built-in name or file path and resolves `extends` (depth-first; cycles are an
 * error): the parent's sections, minus `remove`, with same-id sections replaced and new ones appended;
 * parameters merged, the child's winning.
 *
 * @example
 * const t = loadTemplate('quantitative-review'); t.sections.map((s) => s.id)
 */
export function loadTemplate(nameOrPath: string, seen: readonly string[] = []): AuditTemplate {
  if (seen.includes(nameOrPath))
    throw new ConfigError(`template inheritance cycle: ${[...seen, nameOrPath].join(' → ')}`);
  const { template } = readTemplate(nameOrPath);
  if (!template.extends) return template;
  const parent = loadTemplate(template.extends, [...seen, nameOrPath]);
  for (const id of template.remove) {
    if (!parent.sections.some((s) => s.id === id)) {
      throw new ConfigError(`${nameOrPath}: remove: the parent template has no section '${id}'`);
    }
  }
  const sections = parent.sections
    .filter((s) => !template.remove.includes(s.id))
    .map((s) => template.sections.find((c) => c.id === s.id) ?? s);
  for (const s of template.sections) if (!sections.some((x) => x.id === s.id)) sections.push(s);
  return {
    ...template,
    parameters: { ...parent.parameters, ...template.parameters },
    sections,
  };
}
