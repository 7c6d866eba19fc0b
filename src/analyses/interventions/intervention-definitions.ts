import { EVENT_WINDOW_CONVENTION } from '../shared/event-window.ts';
import { PLACEBO_DEFINITION } from './intervention-placebo.ts';

/** The definition of every statistic of the interventions analysis (also in docs/analyses/interventions.md). */
export const INTERVENTION_DEFINITIONS: Readonly<Record<string, string>> = {
  behaviour:
    'targeted behaviour: category target → share of sessions with that category; phrase/regex target → share ' +
    'of sessions whose normalised output contains the phrase (whole words, case-insensitive) or matches the ' +
    'regex; global target → the named metric (default: share of sessions classified non_compliant)',
  windows: `${EVENT_WINDOW_CONVENTION}; rate = hits / sessions present`,
  endogenous:
    'an event whose trigger reads the outputs (a recalibration, any rule other than the schedule): its session ' +
    'was selected by the behaviour, so its before/after change is not an effect and no significance is stated ' +
    'for it; its effect is judged by the counterfactual replay (simulated runs) or the placebo band',
  placebo: PLACEBO_DEFINITION,
  absoluteChangePp: '(after rate − before rate) × 100, in percentage points',
  relativeChangePct: '(after rate / before rate − 1) × 100, in percent; null when the before rate is 0',
  newcombe:
    'Newcombe (1998) hybrid score 95% interval (method 10) of after rate − before rate, sessions treated as ' +
    'independent Bernoulli trials: a CI for the change between the windows, NOT for the causal effect',
  twoProportionZ: 'pooled two-proportion z test of after vs before rate, two-sided normal p',
  its:
    'interrupted time series (Wagner et al. 2002): per-bin rates over [t − span, t − 1] and [t + 1, t + h] (bin −1 ends at t − 1, bin 0 starts at t + 1), ' +
    'Y_k = β0 + β1·k + β2·X_k + β3·(k − k0)·X_k, X_k = 1 for bins after t; β2 = level change at the event, ' +
    'β3 = slope change per bin; Newey–West (Bartlett, lag floor(4·(n/100)^(2/9))) robust SE, normal inference',
  projection:
    'ITS counterfactual projection: the pre-event bin rates fitted by a line (OLS), projected over the after ' +
    'window (bins weighted by sessions); effect = after rate − projected rate; 95% prediction interval from ' +
    'the Newey–West covariance of the line plus the long-run residual variance / bins after. An interval ' +
    'for the causal effect under the assumption that the pre-trend would have continued linearly',
  logitProjection:
    'as projection, on the logit scale: logit(hits/sessions) per pre bin ((hits + ½)/(sessions + 1) when 0 or all) fitted by a line, the ' +
    'projected rate = mean of expit(line) over the after bins, SE by the delta method; for behaviours that ' +
    'spread or die out geometrically',
  disappearance:
    'last occurrence = last session of the run showing the behaviour; sessions until gone = last occurrence − t ' +
    '(0 when it was last seen at or before the event); observed absence = last session of the run − last ' +
    'occurrence; "gone" when that absence is ≥ the horizon',
  overlaps:
    'other events within the horizon of this one (|Δsession| ≤ h): its before/after windows then mix effects',
  trueEffect:
    'simulated runs only: causal effect over the after window = factual after rate − after rate of the ' +
    'counterfactual replay without this event (same seed, same sessions t+1…t+h); naive/projection "covers" ' +
    'says whether each 95% interval contains it',
};
