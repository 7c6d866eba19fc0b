import type { AnalysisName } from '../analyses/registry.ts';
import { DIVERSITY_METRIC_PATTERN } from '../analyses/shared/step-metrics.ts';
import type { WindowSpec } from '../model/windows.ts';
import type { EventRow } from '../store/scans/phrase-scans.ts';
import type { RunLayers } from '../store/scans/run-layers.ts';
import type { AuditReport, Finding } from './report-model.ts';
import type { AuditTemplate } from './template.ts';

/** What a check rule's evaluation needs to know of the run and the audit. */
export interface CheckContext {
  readonly layers: RunLayers;
  readonly events: readonly Pick<EventRow, 'target'>[];
  readonly window: WindowSpec;
  /** Names of the run's own per-step metrics. */
  readonly stepMetrics: readonly string[];
  readonly template: AuditTemplate;
}

interface CheckRule {
  readonly description: string;
  /** The analysis whose findings carry the rule's tag. */
  readonly analysis: AnalysisName;
  /** Why the run's data cannot show it (the rule is then not evaluated), or null. */
  readonly needs?: (c: CheckContext) => string | null;
}

const reward = (c: CheckContext) =>
  c.layers.withAdjustedReward + c.layers.withBaselineReward > 0 ? null : 'the run has no reward';
const events = (c: CheckContext) => (c.layers.events > 0 ? null : 'the run has no calibration events');
const annotations = (c: CheckContext) => (c.layers.annotations > 0 ? null : 'the run has no annotations');
const phraseEvents = (c: CheckContext) =>
  c.events.some((e) => typeof e.target.phrase === 'string')
    ? null
    : 'no calibration event of the run targets a phrase';
const windows = (c: CheckContext) => (c.layers.sessions > 0 ? null : 'the run has no sessions');

/** The rules `rlaudit check --fail-on` accepts: finding tags that mean something went wrong or changed. */
export const RULES: Readonly<Record<string, CheckRule>> = {
  diversity_collapse: {
    description:
      'response diversity fell by more than the template threshold (default 50%) first → last full window',
    analysis: 'diversity',
    needs: windows,
  },
  vocabulary_collapse: {
    description: 'the vocabulary fell by more than the template threshold first → last full window',
    analysis: 'diversity',
    needs: windows,
  },
  behaviour_suppressed: {
    description:
      'a non-compliant behaviour (unsolicited content, a category) fell to below the threshold rate',
    analysis: 'unsolicited',
    needs: windows,
  },
  phrase_takeover: {
    description:
      'a discovered phrase is in more than half of the outputs of every window from some window on',
    analysis: 'recurrence',
    needs: windows,
  },
  metric_blind_spot: {
    description:
      "response diversity fell while the run's own logged diversity metric (e.g. eval_distinct_2) did not",
    analysis: 'diversity',
    needs: (c) =>
      c.window.by !== 'step'
        ? 'the run is not windowed by step, so its per-step metrics cannot be set beside the windows'
        : c.stepMetrics.some((m) => DIVERSITY_METRIC_PATTERN.test(m))
          ? null
          : 'the run logs no diversity metric of its own (ingest its per-step metrics file)',
  },
  phrase_suppressed: {
    description: 'a phrase targeted by a calibration event stopped occurring after it',
    analysis: 'recurrence',
    needs: phraseEvents,
  },
  phrase_displacement: {
    description: 'near-paraphrases of a suppressed phrase appeared after it stopped',
    analysis: 'recurrence',
    needs: phraseEvents,
  },
  reward_converged: {
    description: 'the reward variance collapsed to its floor (a convergence phase)',
    analysis: 'convergence',
    needs: reward,
  },
  annotation_departure: {
    description: 'an annotation departs from its author’s standard format',
    analysis: 'crossref',
    needs: annotations,
  },
  independent_layers: {
    description: 'an annotation departure and a calibration event at the same session',
    analysis: 'crossref',
    needs: (c) => annotations(c) ?? events(c),
  },
  intervention_effect: {
    description:
      'a calibration event changed its target behaviour: significantly (scheduled) or beyond its placebo band (rule-triggered)',
    analysis: 'interventions',
    needs: events,
  },
  intervention_confounded: {
    description: 'a before/after change that the counterfactual or trend says is not the intervention’s',
    analysis: 'interventions',
    needs: events,
  },
  strong_correspondence: {
    description: 'the reward and a behaviour series correlate strongly',
    analysis: 'correspondence',
    needs: reward,
  },
  length_hack: {
    description: 'the mean output length rose with the reward (a reward that pays for length)',
    analysis: 'length-drift',
    needs: reward,
  },
};

/** Rule → one-line description (for `--help` and errors). */
export const CHECK_RULES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(RULES).map(([k, r]) => [k, r.description]),
);

export interface CheckOutcome {
  readonly failed: readonly { readonly rule: string; readonly findings: readonly Finding[] }[];
  readonly passed: readonly string[];
  /** Rules the audit could not evaluate, with why: the data lacks a layer, or the template or a section did not run its analysis. */
  readonly notEvaluated: readonly { readonly rule: string; readonly why: string }[];
}

/**
 * Each of `rules` has one of three outcomes: failed (a finding carries its tag), passed (its analysis ran on
 * data that could show it, and no finding does), or not evaluated (why). A rule is never reported as
 * passed when nothing could have made it fail.
 */
export function checkReport(
  report: AuditReport,
  rules: readonly string[],
  context: CheckContext,
): CheckOutcome {
  const findings = report.sections.flatMap((s) => s.findings);
  const failed: { rule: string; findings: Finding[] }[] = [];
  const passed: string[] = [];
  const notEvaluated: { rule: string; why: string }[] = [];
  for (const rule of rules) {
    const hits = findings.filter((f) => f.tags.includes(rule));
    if (hits.length > 0) {
      failed.push({ rule, findings: hits });
      continue;
    }
    const r = RULES[rule];
    if (!r) throw new RangeError(`unknown check rule '${rule}'`);
    const section = context.template.sections.find((s) => s.analyses.some((a) => a.name === r.analysis));
    const ran = section ? report.sections.find((s) => s.id === section.id) : undefined;
    const why = !section
      ? `the template '${context.template.name}' does not run the ${r.analysis} analysis`
      : ran?.status !== 'complete'
        ? `the section '${section.id}' did not complete${ran?.error ? ` (${ran.error})` : ''}`
        : (r.needs?.(context) ?? null);
    if (why) notEvaluated.push({ rule, why });
    else passed.push(rule);
  }
  return { failed, passed, notEvaluated };
}
