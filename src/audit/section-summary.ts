import { n0 } from '../analyses/shared/assessment.ts';
import type { Finding, Severity } from './report-model.ts';

const RANK: Readonly<Record<Severity, number>> = { alert: 0, warning: 1, notice: 2, info: 3 };

/** Sentences of the section's summary besides the interventions verdict. */
const MAX_SENTENCES = 4;

const num = (f: Finding, k: string): number | null => {
  const v = f.numbers[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};
const str = (f: Finding, k: string): string | null => {
  const v = f.numbers[k];
  return typeof v === 'string' ? v : null;
};
const abs1 = (x: number): string => Math.abs(x).toFixed(1);

interface EventVerdict {
  readonly sentence: string;
  readonly effective: boolean;
}

/**
 * One event's verdict from its before/after finding and (simulated runs) its counterfactual finding; for an
 * endogenous (rule-triggered) event the before/after is not tested, and the verdict is the counterfactual's,
 * else the placebo test's (`placebo`), else none.
 */
function eventVerdict(main: Finding, truth: Finding | undefined, placebo: Finding | undefined): EventVerdict {
  const pp = num(main, 'absolute_change_pp') ?? 0;
  const rel = num(main, 'relative_change_pct');
  const designedDown = str(main, 'designed_direction') !== 'increase';
  const significant = num(main, 'significant') === 1;
  const designed = designedDown ? pp < 0 : pp > 0;
  const truePp = truth ? num(truth, 'true_effect_pp') : null;
  const trueNone = truth?.tags.includes('no_true_effect') ?? false;
  const trueDesigned = truePp === null || (!trueNone && (designedDown ? truePp < 0 : truePp > 0));
  const kind = str(main, 'event_kind') === 'recalibration' ? 'recalibration' : 'adjustment';
  const moved = pp < 0 ? 'fell' : pp > 0 ? 'rose' : 'did not change';
  const by =
    pp === 0
      ? ''
      : rel !== null
        ? ` by ${abs1(rel)}% (relative; ${abs1(pp)} percentage points)`
        : ` by ${abs1(pp)} percentage points`;
  const behaviour = (str(main, 'behaviour') ?? 'targeted behaviour').replace(/^category/, 'Category');
  const subject = behaviour.startsWith('phrase') ? `The rate of the ${behaviour}` : `The ${behaviour} rate`;
  const head =
    `${subject} ${moved}${by} in the ${num(main, 'horizon')} sessions ` +
    `after the ${kind} at ${n0(num(main, 'event_session') ?? 0)}`;
  const cf =
    truePp === null
      ? ''
      : trueNone
        ? 'the counterfactual replay shows no effect of the adjustment itself'
        : `the counterfactual replay puts the ${kind}'s own effect at ${truePp > 0 ? '+' : '−'}${abs1(truePp)} percentage points`;
  let sentence: string;
  if (num(main, 'endogenous') === 1) {
    const selected = `${head}; the rule fired because the behaviour surged, so that change is not tested as an effect`;
    if (truePp !== null) return { sentence: `${selected}, and ${cf}.`, effective: trueDesigned };
    if (placebo?.tags.includes('placebo_test')) {
      const effect = placebo.tags.includes('intervention_effect');
      return {
        sentence: `${selected}; its placebo test ${effect ? 'finds an effect beyond' : 'finds no effect beyond'} regression to the mean.`,
        effective: effect,
      };
    }
    return { sentence: `${selected}, and no selection-aware test was possible.`, effective: false };
  }
  if (!significant)
    sentence = `${head}, but the change is within its 95% interval of no change${cf ? ` and ${cf}` : ''}.`;
  else if (!designed) sentence = `${head}, against the direction it was designed for${cf ? `; ${cf}` : ''}.`;
  else if (!trueDesigned) sentence = `${head}, outside its 95% interval of no change, but ${cf}.`;
  else sentence = `${head}, outside its 95% interval of no change${cf ? `, and ${cf}` : ''}.`;
  return { sentence, effective: significant && designed && trueDesigned };
}

/**
 * The section's summary paragraph in the plain declarative register of a compliance report, stating only
 * what the findings' numbers support. "Each adjustment produced the behavioural modification it was designed
 * to produce" appears only when every intervention's change is significant in the designed direction and,
 * where a counterfactual replay exists, its true effect is non-zero in that direction too; otherwise each
 * adjustment's sentence says what its numbers do say. Empty when there are no findings.
 *
 * @example
 * summarizeSection('Adjustment history', findings)
 * // 'Category 2 rate fell by 6.3% (relative; 1.0 percentage points) in the 500 sessions after the adjustment at 2,500, but …'
 */
export function summarizeSection(sectionTitle: string, findings: readonly Finding[]): string {
  if (findings.length === 0) return '';
  const sentences: string[] = [];
  const mains = findings.filter(
    (f) =>
      f.tags.includes('interventions') &&
      (num(f, 'significant') !== null || f.tags.includes('intervention_endogenous')),
  );
  if (mains.length > 0) {
    const of = (m: Finding, tag: string) =>
      findings.find(
        (f) =>
          f.tags.includes('interventions') && f.numbers.event === m.numbers.event && f.tags.includes(tag),
      );
    const verdicts = mains.map((m) =>
      eventVerdict(m, of(m, 'true_effect') ?? of(m, 'no_true_effect'), of(m, 'placebo_test')),
    );
    if (verdicts.every((v) => v.effective))
      sentences.push('Each adjustment produced the behavioural modification it was designed to produce.');
    else
      sentences.push(
        `${verdicts.filter((v) => v.effective).length} of ${verdicts.length} adjustments produced a measurable modification of the behaviour it targeted.`,
      );
    sentences.push(...verdicts.map((v) => v.sentence));
  }
  const rest = findings
    .filter((f) => !f.tags.includes('interventions'))
    .map((f, i) => ({ f, i }))
    .sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
  const notable = rest.filter((f) => f.severity !== 'info');
  const chosen = (notable.length > 0 ? notable : rest).slice(0, MAX_SENTENCES);
  sentences.push(...chosen.map((f) => f.claim));
  const more = rest.length - chosen.length;
  if (more > 0)
    sentences.push(
      `The ${sectionTitle.toLowerCase()} section lists ${more} further finding${more === 1 ? '' : 's'}.`,
    );
  return sentences.join(' ');
}
