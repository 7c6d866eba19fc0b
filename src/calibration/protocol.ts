import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../model/errors.ts';
import { categoryKey } from '../model/phrase-pattern.ts';
import type { DeepReadonly } from './deep-readonly.ts';
import { ALLOWED_REGEX_FLAGS, compileTarget } from './phrase-matcher.ts';

export { categoryKey } from '../model/phrase-pattern.ts';

/**
 * The calibration protocol: which categories exist and how strongly each is penalised, the compliance
 * reward differential, the trajectory window, the adjustment schedule and the recurrence rules.
 * Keys are snake_case like the record format. The math is in docs/calibration.md.
 */

const positiveInt = z.number().int().positive();
/** Category differentials are percentages of the baseline reward. */
const percent = z.number().min(0).max(100);
/** Rewards and the compliance differential live on the normalised 0–1 scale. */
const unit = z.number().min(0).max(1);
const categoryId = z.union([z.number().int(), z.string().min(1)]);
const person = z.string().min(1).nullable().default(null);

const categorySchema = z.strictObject({
  id: categoryId,
  name: z.string().min(1),
  differential_pct: percent,
});

/**
 * Sessions over which the change is designed to act, and over which every analysis compares before with after
 * (docs/analyses.md, "Before and after an event"); written into the event's `trigger.horizon`.
 */
const horizon = positiveInt.optional();

const scheduleCommon = {
  session: positiveInt,
  horizon,
  recommended_by: person,
  note: z.string().min(1).nullable().default(null),
};

const scheduledAdjustmentSchema = z.discriminatedUnion('parameter', [
  z.strictObject({
    ...scheduleCommon,
    parameter: z.literal('category_differential'),
    category: categoryId,
    from: percent.optional(),
    to: percent,
  }),
  z.strictObject({
    ...scheduleCommon,
    parameter: z.literal('compliance_differential'),
    from: unit.optional(),
    to: unit,
  }),
]);

/** A relative change: `+15` multiplies the parameter by 1.15 (results are clamped to the valid range). */
const changePct = z.number().min(-100).max(10_000);

const ruleAdjustmentSchema = z.discriminatedUnion('parameter', [
  z.strictObject({ parameter: z.literal('compliance_differential'), change_pct: changePct }),
  z.strictObject({
    parameter: z.literal('category_differential'),
    category: categoryId,
    change_pct: changePct,
  }),
]);

const recurrenceRuleSchema = z.strictObject({
  id: z.string().min(1),
  phrase: z.string().min(1).optional(),
  regex: z.string().min(1).optional(),
  flags: z.string().optional(),
  /** N: the rule looks at the last N sessions fed to the calibrator, the current one included. */
  window: positiveInt,
  /** k: the rule fires when at least k of those sessions match. */
  threshold: positiveInt,
  adjustment: ruleAdjustmentSchema,
  recommended_by: person,
  classification: z.string().min(1).nullable().default(null),
  /** Sessions after a firing before the rule may fire again; defaults to `window` (at most once per window). */
  cooldown: positiveInt.optional(),
  /** Upper bound on firings per run; null for no bound. */
  max_firings: positiveInt.nullable().default(null),
  horizon,
});

const protocolObject = z.strictObject({
  protocol: z.string().min(1),
  version: z.literal(1).default(1),
  description: z.string().default(''),
  baseline_source: z.enum(['record', 'reward_model']),
  categories: z.array(categorySchema).min(1),
  /** For a non-compliant session whose category is null. */
  default_differential_pct: percent.default(0),
  compliance_differential: unit,
  /** The part of the compliance differential the baseline already provides; defaults to all of it. */
  baseline_gap: unit.optional(),
  /** Share of a change of the compliance differential that lifts compliant rewards; the rest lowers the others. */
  compliant_share: unit.default(0.5),
  trajectory_window: positiveInt,
  scheduled_adjustments: z.array(scheduledAdjustmentSchema).default([]),
  recurrence_rules: z.array(recurrenceRuleSchema).default([]),
});

/** Issues found across fields, reported at the field they concern. */
type IssueSink = (path: readonly (string | number)[], message: string) => void;

export const protocolSchema = protocolObject
  .superRefine((p, ctx) => {
    const issue: IssueSink = (path, message) => {
      ctx.addIssue({ code: 'custom', path: [...path], message });
    };
    const known = new Set<string>();
    p.categories.forEach((c, i) => {
      if (known.has(categoryKey(c.id))) issue(['categories', i, 'id'], `duplicate category id ${c.id}`);
      known.add(categoryKey(c.id));
    });
    const checkCategory = (id: number | string, path: readonly (string | number)[]): void => {
      if (!known.has(categoryKey(id)))
        issue(path, `unknown category ${id}; expected one of ${[...known].join(', ')}`);
    };
    p.scheduled_adjustments.forEach((a, i) => {
      if (a.parameter === 'category_differential')
        checkCategory(a.category, ['scheduled_adjustments', i, 'category']);
    });
    const ruleIds = new Set<string>();
    p.recurrence_rules.forEach((r, i) => {
      const at = ['recurrence_rules', i] as const;
      if (ruleIds.has(r.id)) issue([...at, 'id'], `duplicate rule id '${r.id}'`);
      ruleIds.add(r.id);
      if ((r.phrase === undefined) === (r.regex === undefined))
        issue(at, 'expected exactly one of phrase or regex');
      if (r.flags !== undefined && r.regex === undefined)
        issue([...at, 'flags'], 'flags apply only to a regex');
      if (r.flags !== undefined && !ALLOWED_REGEX_FLAGS.test(r.flags)) {
        issue([...at, 'flags'], `expected distinct flags among i, m, s, u; got '${r.flags}'`);
      } else if (r.regex !== undefined) {
        try {
          compileTarget({ regex: r.regex, flags: r.flags });
        } catch (error) {
          issue([...at, 'regex'], errorText(error));
        }
      }
      if (r.threshold > r.window)
        issue([...at, 'threshold'], `expected at most window (${r.window}), got ${r.threshold}`);
      if (r.adjustment.parameter === 'category_differential')
        checkCategory(r.adjustment.category, [...at, 'adjustment', 'category']);
    });
    checkScheduledFrom(p, issue);
  })
  .transform((p) => ({
    ...p,
    baseline_gap: p.baseline_gap ?? p.compliance_differential,
    recurrence_rules: p.recurrence_rules.map((r) => ({ ...r, cooldown: r.cooldown ?? r.window })),
  }));

/** A validated protocol with defaults filled in (`baseline_gap`, each rule's `cooldown`). */
export type Protocol = DeepReadonly<z.output<typeof protocolSchema>>;
export type ProtocolCategory = Protocol['categories'][number];
export type ScheduledAdjustment = Protocol['scheduled_adjustments'][number];
export type RecurrenceRule = Protocol['recurrence_rules'][number];

/**
 * Parses and validates a protocol file. `.json` files are parsed as strict JSON, anything else as YAML
 * (which also accepts JSON). Throws `ConfigError` naming the file, the field path and what was expected.
 *
 * @example
 * const protocol = parseProtocol(readFileSync('wild-7.yaml', 'utf8'), 'wild-7.yaml');
 * // ConfigError: "p.yaml: recurrence_rules[0].threshold: expected at most window (20), got 30"
 */
export function parseProtocol(text: string, fileName: string): Protocol {
  let raw: unknown;
  try {
    raw = fileName.toLowerCase().endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${fileName}: not valid ${fileName.endsWith('.json') ? 'JSON' : 'YAML'}: ${errorText(error)}`,
      {
        cause: error,
      },
    );
  }
  const result = protocolSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map(
      (i) => `${fileName}: ${formatPath(i.path) || '(top level)'}: ${i.message}`,
    );
    throw new ConfigError(lines.join('\n'), { cause: result.error });
  }
  return result.data;
}

/** `recurrence_rules[0].adjustment.change_pct` */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`)).join('');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A declared `from` must equal the value the protocol has in force at that session: the initial value after
 * the earlier scheduled adjustments of the same parameter. Parameters a recurrence rule can also change are
 * skipped, because their value at run time depends on the outputs.
 */
function checkScheduledFrom(p: z.output<typeof protocolObject>, issue: IssueSink): void {
  const dynamic = new Set(
    p.recurrence_rules.map((r) =>
      r.adjustment.parameter === 'category_differential'
        ? `cat:${categoryKey(r.adjustment.category)}`
        : 'global',
    ),
  );
  const value = new Map<string, number>([['global', p.compliance_differential]]);
  for (const c of p.categories) value.set(`cat:${categoryKey(c.id)}`, c.differential_pct);
  const order = p.scheduled_adjustments.map((a, i) => ({ a, i })).sort((x, y) => x.a.session - y.a.session);
  for (const { a, i } of order) {
    const key = a.parameter === 'category_differential' ? `cat:${categoryKey(a.category)}` : 'global';
    const current = value.get(key);
    if (
      a.from !== undefined &&
      current !== undefined &&
      !dynamic.has(key) &&
      Math.abs(a.from - current) > 1e-9
    ) {
      issue(
        ['scheduled_adjustments', i, 'from'],
        `expected ${current} (the value in force at session ${a.session}), got ${a.from}`,
      );
    }
    value.set(key, a.to);
  }
}
