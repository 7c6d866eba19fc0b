import type { AuditReport, Finding } from './report-model.ts';

/** The rules `rlaudit check --fail-on` accepts: finding tags that mean something went wrong or changed. */
export const CHECK_RULES: Readonly<Record<string, string>> = {
  diversity_collapse:
    'response diversity fell by more than the template threshold (default 50%) first → last window',
  vocabulary_collapse: 'the vocabulary fell by more than the template threshold first → last window',
  behaviour_suppressed:
    'a non-compliant behaviour (unsolicited content, a category) fell to below the threshold rate',
  phrase_takeover:
    'a discovered phrase is in more than half of the outputs of every window from some window on',
  metric_blind_spot:
    "response diversity fell while the run's own logged diversity metric (e.g. eval_distinct_2) did not",
  phrase_suppressed: 'a phrase targeted by a calibration event stopped occurring after it',
  phrase_displacement: 'near-paraphrases of a suppressed phrase appeared after it stopped',
  reward_converged: 'the reward variance collapsed to its floor (a convergence phase)',
  annotation_departure: 'an annotation departs from its author’s standard format',
  independent_layers: 'an annotation departure and a calibration event at the same session',
  intervention_effect: 'a calibration event changed its target behaviour significantly',
  intervention_confounded:
    'a before/after change that the counterfactual or trend says is not the intervention’s',
  strong_correspondence: 'the reward and a behaviour series correlate strongly',
};

export interface CheckOutcome {
  readonly failed: readonly { readonly rule: string; readonly findings: readonly Finding[] }[];
  readonly passed: readonly string[];
}

/** Which of `rules` have at least one finding carrying that tag (a failing rule). */
export function checkReport(report: AuditReport, rules: readonly string[]): CheckOutcome {
  const findings = report.sections.flatMap((s) => s.findings);
  const failed: { rule: string; findings: Finding[] }[] = [];
  const passed: string[] = [];
  for (const rule of rules) {
    const hits = findings.filter((f) => f.tags.includes(rule));
    if (hits.length > 0) failed.push({ rule, findings: hits });
    else passed.push(rule);
  }
  return { failed, passed };
}
