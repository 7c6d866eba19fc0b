import type { CalibrationEvent, Protocol } from '../calibration/index.ts';
import { InputError } from '../model/errors.ts';

/**
 * Names of the interventions a counterfactual replay can remove (`without`):
 *
 * - `schedule:<session>`: every scheduled adjustment of the protocol at that session (`schedule:2500`);
 * - `rule:<id>`: a recurrence rule, all its firings (`rule:preference-preservation`);
 * - `e-<n>`: the n-th calibration event of the factual run with the same seed. A scheduled adjustment is
 *   removed as with `schedule:`; a recalibration removes that firing of its rule and every later one
 *   (the rule keeps only its earlier firings, via `max_firings`).
 */
export type InterventionName = string;

/** Accepted forms, for error messages and docs. */
export const INTERVENTION_FORMS = ['schedule:<session>', 'rule:<rule id>', 'e-<n>'] as const;

/** The valid names of a protocol (without `e-<n>`, which needs the factual run). */
export function interventionNames(protocol: Protocol): string[] {
  const sessions = [...new Set(protocol.scheduled_adjustments.map((a) => a.session))];
  return [...sessions.map((s) => `schedule:${s}`), ...protocol.recurrence_rules.map((r) => `rule:${r.id}`)];
}

/** The protocol with the named interventions removed; `factualEvent(n)` resolves `e-<n>` names. */
export function protocolWithout(
  protocol: Protocol,
  names: readonly string[],
  factualEvent: (n: number) => { readonly event: CalibrationEvent; readonly firing: number } | undefined,
): Protocol {
  let scheduled = [...protocol.scheduled_adjustments];
  let rules = [...protocol.recurrence_rules];
  const invalid = (name: string, why: string): never => {
    throw new InputError(
      `cannot remove ${JSON.stringify(name)}: ${why}. Valid names: ${interventionNames(protocol).join(', ')}, ` +
        `or an event id e-<n> of the factual run (forms: ${INTERVENTION_FORMS.join(', ')})`,
      { field: 'without' },
    );
  };
  for (const name of names) {
    const schedule = /^schedule:(\d+)$/.exec(name);
    const rule = /^rule:(.+)$/.exec(name);
    const event = /^e-(\d+)$/.exec(name);
    if (schedule) {
      const at = Number(schedule[1]);
      if (!scheduled.some((a) => a.session === at)) invalid(name, `no scheduled adjustment at session ${at}`);
      scheduled = scheduled.filter((a) => a.session !== at);
    } else if (rule) {
      if (!rules.some((r) => r.id === rule[1])) invalid(name, `no recurrence rule ${rule[1]}`);
      rules = rules.filter((r) => r.id !== rule[1]);
    } else if (event) {
      const found = factualEvent(Number(event[1]));
      if (found === undefined) invalid(name, 'the factual run has no such event');
      const { event: e, firing } = found!;
      if (e.kind === 'scheduled_adjustment') {
        const i = scheduled.findIndex(
          (a) =>
            a.session <= e.session &&
            a.parameter === e.parameter &&
            a.to === e.to &&
            ('category' in e.target
              ? 'category' in a && String(a.category) === String(e.target.category)
              : !('category' in a)),
        );
        if (i < 0) invalid(name, 'its scheduled adjustment is already removed');
        scheduled = scheduled.filter((_, k) => k !== i);
      } else {
        const i = rules.findIndex((r) =>
          'phrase' in e.target
            ? r.phrase === e.target.phrase
            : 'regex' in e.target && r.regex === e.target.regex,
        );
        if (i < 0) invalid(name, 'its recurrence rule is already removed');
        rules =
          firing <= 1
            ? rules.filter((_, k) => k !== i)
            : rules.map((r, k) => (k === i ? { ...r, max_firings: firing - 1 } : r));
      }
    } else {
      invalid(name, 'not a known intervention name');
    }
  }
  return { ...protocol, scheduled_adjustments: scheduled, recurrence_rules: rules };
}
