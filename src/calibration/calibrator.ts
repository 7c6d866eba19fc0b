import { ConfigError, InputError } from '../model/errors.ts';
import type { CalibrationEvent } from './calibration-event.ts';
import { type CalibrationInput, type CalibrationStep, validateInput } from './calibration-input.ts';
import { type CalibratorState, calibratorStateSchema, protocolFingerprint } from './calibrator-state.ts';
import { recurrenceNote, scheduledNote } from './event-notes.ts';
import { categoryKey, type Protocol, type ScheduledAdjustment } from './protocol.ts';
import { RecurrenceTracker } from './recurrence-tracker.ts';
import { adjustedRewardFor, roundValue } from './reward-formula.ts';
import { RingWindow } from './ring-window.ts';

/**
 * Applies a calibration protocol session by session. For each session, in this order:
 * 1. scheduled adjustments whose session is ≤ this session and not yet applied take effect (in schedule
 *    order), each emitting a `scheduled_adjustment` event at this session;
 * 2. every recurrence rule observes the output; rules that fire (in protocol order) apply their adjustment
 *    and emit a `recalibration` event;
 * 3. the adjusted reward is computed with the parameters now in force (so an event at session s already
 *    applies to session s), and the compliance trajectory index over the window including this session.
 * Deterministic: the same protocol and inputs give the same outputs, also across `serialize`/`resume`.
 *
 * @example
 * const calibrator = new Calibrator(wild7Protocol(), 'wild-7');
 * calibrator.step({ session: 4803, classification: 'non_compliant', category: 3, baselineReward: 0.4, output })
 * // { session: 4803, adjustedReward: 0.3, differentialPct: 25, complianceTrajectoryIndex: …, events: […] }
 */
export class Calibrator {
  readonly protocol: Protocol;
  readonly run: string;
  readonly #schedule: readonly ScheduledAdjustment[];
  readonly #categoryIds: ReadonlyMap<string, number | string>;
  readonly #categoryDifferentials: Map<string, number>;
  readonly #trajectory: RingWindow;
  #trackers: readonly RecurrenceTracker[];
  readonly #fingerprint: string;
  #complianceDifferential: number;
  #scheduledApplied = 0;
  #eventCount = 0;
  #lastSession: number | null = null;

  constructor(protocol: Protocol, run: string = protocol.protocol) {
    this.protocol = protocol;
    this.run = run;
    this.#fingerprint = protocolFingerprint(protocol);
    // Array.prototype.sort is stable, so adjustments at the same session keep their protocol order.
    this.#schedule = [...protocol.scheduled_adjustments].sort((a, b) => a.session - b.session);
    this.#categoryIds = new Map(protocol.categories.map((c) => [categoryKey(c.id), c.id]));
    this.#categoryDifferentials = new Map(
      protocol.categories.map((c) => [categoryKey(c.id), c.differential_pct]),
    );
    this.#complianceDifferential = protocol.compliance_differential;
    this.#trajectory = new RingWindow(protocol.trajectory_window);
    this.#trackers = protocol.recurrence_rules.map((rule) => new RecurrenceTracker(rule));
  }

  /**
   * A calibrator that continues from `state` (from `serialize`, possibly through JSON) under the same
   * protocol. Throws `ConfigError` when the state is malformed or was saved under another protocol.
   *
   * @example
   * const resumed = Calibrator.resume(protocol, JSON.parse(savedJson));
   */
  static resume(protocol: Protocol, state: CalibratorState): Calibrator {
    const parsed = calibratorStateSchema.safeParse(state);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') ?? '';
      throw new ConfigError(`calibrator state: ${where}: ${issue?.message ?? 'invalid'}`, {
        cause: parsed.error,
      });
    }
    const s = parsed.data;
    const fingerprint = protocolFingerprint(protocol);
    if (s.protocol !== protocol.protocol || s.fingerprint !== fingerprint) {
      throw new ConfigError(
        `calibrator state was saved under protocol ${s.protocol} (${s.fingerprint}), ` +
          `not ${protocol.protocol} (${fingerprint}); it cannot be resumed under a different protocol`,
      );
    }
    const calibrator = new Calibrator(protocol, s.run);
    calibrator.#restore(s);
    return calibrator;
  }

  /** The compliance differential in force (0–1). */
  get complianceDifferential(): number {
    return this.#complianceDifferential;
  }

  /** The differential in force for a category, in percent; undefined for a category not in the protocol. */
  categoryDifferential(category: number | string): number | undefined {
    return this.#categoryDifferentials.get(categoryKey(category));
  }

  /** The last session fed, or null before the first. */
  get lastSession(): number | null {
    return this.#lastSession;
  }

  /**
   * Calibrates the next session. Throws `InputError` for out-of-order sessions, a baseline outside [0, 1]
   * or a category the protocol does not define; a rejected input leaves the calibrator unchanged.
   */
  step(input: CalibrationInput): CalibrationStep {
    validateInput(input, this.#lastSession);
    const categoryKeyOfInput = input.classification === 'non_compliant' ? this.#knownCategory(input) : null;
    const events = [
      ...this.#applySchedule(input.session),
      ...this.#observeRules(input.session, input.output),
    ];

    const compliant = input.classification === 'compliant';
    this.#trajectory.push(compliant);
    this.#lastSession = input.session;
    let differentialPct: number | null = null;
    if (!compliant) {
      differentialPct =
        categoryKeyOfInput === null
          ? this.protocol.default_differential_pct
          : this.#categoryDifferentials.get(categoryKeyOfInput)!;
    }
    const adjustedReward = adjustedRewardFor(
      input.baselineReward,
      input.classification,
      differentialPct ?? 0,
      {
        complianceDifferential: this.#complianceDifferential,
        baselineGap: this.protocol.baseline_gap,
        compliantShare: this.protocol.compliant_share,
      },
    );
    return {
      session: input.session,
      adjustedReward,
      differentialPct,
      complianceTrajectoryIndex: this.#trajectory.count / this.#trajectory.length,
      events,
    };
  }

  /**
   * The state as plain JSON, for `Calibrator.resume`.
   *
   * @example
   * writeFileSync('calibrator.json', JSON.stringify(calibrator.serialize()));
   */
  serialize(): CalibratorState {
    return {
      version: 1,
      protocol: this.protocol.protocol,
      fingerprint: this.#fingerprint,
      run: this.run,
      lastSession: this.#lastSession,
      scheduledApplied: this.#scheduledApplied,
      eventCount: this.#eventCount,
      complianceDifferential: this.#complianceDifferential,
      categoryDifferentials: Object.fromEntries(this.#categoryDifferentials),
      trajectory: this.#trajectory.toBits(),
      rules: this.#trackers.map((t) => t.snapshot()),
    };
  }

  #restore(s: CalibratorState): void {
    const fail = (what: string): never => {
      throw new ConfigError(`calibrator state: ${what} does not fit protocol ${this.protocol.protocol}`);
    };
    const keys = [...this.#categoryDifferentials.keys()];
    const savedKeys = Object.keys(s.categoryDifferentials);
    if (savedKeys.length !== keys.length || keys.some((k) => !(k in s.categoryDifferentials)))
      fail('categoryDifferentials');
    if (s.scheduledApplied > this.#schedule.length) fail('scheduledApplied');
    if (s.trajectory.length > this.protocol.trajectory_window) fail('trajectory');
    if (s.rules.length !== this.#trackers.length) fail('rules');
    for (const k of keys) this.#categoryDifferentials.set(k, s.categoryDifferentials[k]!);
    for (const flag of s.trajectory) this.#trajectory.push(flag === '1');
    this.#trackers = this.#trackers.map((t, i) => {
      const saved = s.rules[i]!;
      if (saved.id !== t.rule.id || saved.recent.length > t.rule.window) fail(`rules[${i}]`);
      return new RecurrenceTracker(t.rule, saved);
    });
    this.#complianceDifferential = s.complianceDifferential;
    this.#scheduledApplied = s.scheduledApplied;
    this.#eventCount = s.eventCount;
    this.#lastSession = s.lastSession;
  }

  /** The category key of a non-compliant input, or null when its category is null. */
  #knownCategory(input: CalibrationInput): string | null {
    if (input.category === null) return null;
    const key = categoryKey(input.category);
    if (!this.#categoryDifferentials.has(key)) {
      const known = [...this.#categoryIds.values()].join(', ');
      throw new InputError(
        `session ${input.session}: category ${JSON.stringify(input.category)} is not defined by protocol ` +
          `${this.protocol.protocol} (defined: ${known})`,
        { field: 'category' },
      );
    }
    return key;
  }

  /** Scheduled adjustments due by `session`, applied in schedule order. */
  #applySchedule(session: number): CalibrationEvent[] {
    const events: CalibrationEvent[] = [];
    while (this.#scheduledApplied < this.#schedule.length) {
      const adjustment = this.#schedule[this.#scheduledApplied]!;
      if (adjustment.session > session) break;
      this.#scheduledApplied += 1;
      const category = adjustment.parameter === 'category_differential' ? adjustment.category : null;
      const { from, to } = this.#set(category, adjustment.to);
      events.push(
        this.#event(session, {
          kind: 'scheduled_adjustment',
          parameter: adjustment.parameter,
          target:
            category === null
              ? { global: true }
              : { category: this.#categoryIds.get(categoryKey(category))! },
          from,
          to,
          trigger: {
            rule: 'schedule',
            ...(adjustment.horizon === undefined ? {} : { horizon: adjustment.horizon }),
          },
          recommended_by: adjustment.recommended_by,
          note: scheduledNote(adjustment, from, to),
        }),
      );
    }
    return events;
  }

  /** Every rule observes the output; the rules that fire apply their adjustment, in protocol order. */
  #observeRules(session: number, output: string): CalibrationEvent[] {
    const events: CalibrationEvent[] = [];
    for (const tracker of this.#trackers) {
      const { count, fired } = tracker.observe(output);
      if (!fired) continue;
      const { rule, matcher } = tracker;
      const { adjustment } = rule;
      const category = adjustment.parameter === 'category_differential' ? adjustment.category : null;
      const { from, to } = this.#set(category, this.#valueOf(category) * (1 + adjustment.change_pct / 100));
      events.push(
        this.#event(session, {
          kind: 'recalibration',
          parameter: adjustment.parameter,
          target: rule.regex !== undefined ? { regex: rule.regex } : { phrase: matcher.label },
          from,
          to,
          trigger: {
            rule: 'recurrence',
            count,
            window: rule.window,
            ...(rule.horizon === undefined ? {} : { horizon: rule.horizon }),
          },
          recommended_by: rule.recommended_by,
          note: recurrenceNote(rule, matcher.label, count),
        }),
      );
    }
    return events;
  }

  /** The compliance differential (category null) or a category differential in force. */
  #valueOf(category: number | string | null): number {
    if (category === null) return this.#complianceDifferential;
    return this.#categoryDifferentials.get(categoryKey(category))!;
  }

  /** Sets a parameter, clamped to its range ([0, 1] or [0, 100] percent) and rounded. */
  #set(category: number | string | null, value: number): { readonly from: number; readonly to: number } {
    const from = this.#valueOf(category);
    if (category === null) {
      const to = roundValue(Math.min(1, Math.max(0, value)));
      this.#complianceDifferential = to;
      return { from, to };
    }
    const to = roundValue(Math.min(100, Math.max(0, value)));
    this.#categoryDifferentials.set(categoryKey(category), to);
    return { from, to };
  }

  #event(
    session: number,
    fields: Omit<CalibrationEvent, 'type' | 'run' | 'session' | 'id' | 'change_pct'>,
  ): CalibrationEvent {
    this.#eventCount += 1;
    const { from, to } = fields;
    return {
      type: 'event',
      run: this.run,
      session,
      id: `e-${this.#eventCount}`,
      kind: fields.kind,
      parameter: fields.parameter,
      target: fields.target,
      from,
      to,
      change_pct: from === 0 ? null : roundValue(((to - from) / from) * 100),
      trigger: fields.trigger,
      recommended_by: fields.recommended_by,
      note: fields.note,
    };
  }
}
