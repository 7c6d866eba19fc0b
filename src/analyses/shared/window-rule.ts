import type { WindowSpec } from '../../model/windows.ts';
import type { RunLayers } from '../../store/scans/run-layers.ts';

/** What the user (flags) or the template asked for; anything left out is decided by {@link chooseWindows}. */
export interface WindowRequest {
  readonly by?: 'session' | 'step';
  /** Sessions per window (implies `by: 'session'`). */
  readonly size?: number;
}

/** The windows an analysis or audit uses, and the rule that chose them, in words (printed in reports). */
export interface WindowChoice {
  readonly window: WindowSpec;
  readonly rule: string;
  /**
   * Set when `--window` or `--by step` makes more than {@link MAX_WINDOWS} windows: Node's memory and the report
   * grow with them (the command still runs; it says so on stderr).
   */
  readonly warning?: string;
}

/** A run is windowed by step when this share of its sessions carry a step … */
export const STEP_COVERAGE = 0.9;
/** … it has at least this many distinct steps … */
export const MIN_STEPS = 2;
/** … and at least this many sessions per step on average (one rollout per step is not a window). */
export const MIN_SESSIONS_PER_STEP = 8;
const DEFAULT_SIZE = 500;
/**
 * The most session windows the rule chooses for a run: beyond it, its windows grow (a multiple of the base
 * size). Every per-window series, table and chart, and the diversity sample (200 outputs a window, scored in
 * Node), grows with the number of windows, not with the sessions: at 2,000 windows the audit of 1M sessions
 * peaks at 530 MiB in Node, and the 10M audit in 20,000 windows of 500 at 1,666 MiB, its report 97 MB
 * (docs/benchmarks.md "Windows that grow with the run"). 2,000 windows of 500 are 1M sessions: no run up to
 * 1M sessions changes.
 */
export const MAX_WINDOWS = 2_000;

const fmt = (x: number) => x.toLocaleString('en-US');

/** The session numbers a run spans: its first and last (1 and the session count when not known). */
type Span = Pick<RunLayers, 'sessions'> & Partial<Pick<RunLayers, 'firstSession' | 'lastSession'>>;
const span = (layers: Span) => ({
  first: layers.firstSession ?? 1,
  last: layers.lastSession ?? layers.sessions,
});

/** The session windows of `size` that hold sessions first…last (the window of s is ⌊(s − 1) / size⌋). */
export function sessionWindowCount(first: number, last: number, size: number): number {
  if (last < first) return 0;
  return Math.floor((last - 1) / size) - Math.floor((first - 1) / size) + 1;
}

/**
 * The session windows of a run: `base` sessions, or the smallest multiple of `base` that holds the run's
 * sessions in at most {@link MAX_WINDOWS} windows (so each grown window is a union of whole base windows).
 */
export function scaledSize(layers: Span, base = DEFAULT_SIZE): number {
  const { first, last } = span(layers);
  if (sessionWindowCount(first, last, base) <= MAX_WINDOWS) return base;
  let k = Math.max(1, Math.ceil((last - first + 1) / (base * MAX_WINDOWS)));
  while (sessionWindowCount(first, last, base * k) > MAX_WINDOWS) k += 1;
  return base * k;
}

/** The words of a grown window: how many sessions, how many windows, the base it grew from. */
function grownWhy(layers: Span, base: number, size: number): string {
  if (size === base) return '';
  const { first, last } = span(layers);
  return `; ${fmt(layers.sessions)} sessions in ${fmt(sessionWindowCount(first, last, size))} windows (at most ${fmt(MAX_WINDOWS)}: ${fmt(size / base)} × the ${fmt(base)}-session window)`;
}

/** `{ warning }` for a flag that makes `count` windows, more than {@link MAX_WINDOWS}; `{}` otherwise. */
function tooMany(flag: string, count: number, what: string, layers: Span, base: number) {
  if (count <= MAX_WINDOWS) return {};
  return {
    warning:
      `${flag} makes ${fmt(count)} windows${what}: memory, time and the report grow with the windows ` +
      `(without ${flag.split(' ')[0]}: ${fmt(scaledSize(layers, base))}-session windows, at most ${fmt(MAX_WINDOWS)})`,
  };
}

/**
 * The one windowing rule of rlaudit. Flags win, then the template; otherwise a run that records training
 * steps — at least 90% of its sessions carry a step, at least 2 steps, at least 8 sessions per step on
 * average (a trainer's rollouts: 64 completions per GRPO step) — is windowed by step, and any other run in
 * windows of 500 consecutive sessions (or the template's size), grown to a multiple of that size when the run
 * would need more than {@link MAX_WINDOWS} of them. A run of more than {@link MAX_WINDOWS} steps is windowed by
 * session so (a window of several steps is not a window spec yet). A `--window` or `--by step` flag is taken
 * exactly, never grown.
 *
 * @example chooseWindows(layers, {}, {}).rule // 'by training step: 704 sessions in 11 steps (64 per step on average)'
 */
export function chooseWindows(
  layers: Pick<RunLayers, 'withStep' | 'steps'> & Span,
  flags: WindowRequest,
  template: WindowRequest = {},
): WindowChoice {
  const base = template.size ?? DEFAULT_SIZE;
  const size = flags.size ?? scaledSize(layers, base);
  if (flags.by === 'step') {
    return {
      window: { by: 'step' },
      rule: 'by training step (--by step)',
      ...tooMany('--by step', layers.steps, ', one per step', layers, base),
    };
  }
  if (flags.size !== undefined) {
    const { first, last } = span(layers);
    return {
      window: { by: 'session', size },
      rule: `windows of ${size} sessions (--window)`,
      ...tooMany(
        `--window ${size}`,
        sessionWindowCount(first, last, size),
        ` of this run's ${fmt(layers.sessions)} sessions`,
        layers,
        base,
      ),
    };
  }
  if (flags.by === 'session') {
    return {
      window: { by: 'session', size },
      rule: `windows of ${fmt(size)} sessions (--by session${grownWhy(layers, base, size)})`,
    };
  }
  if (template.by === 'step') return { window: { by: 'step' }, rule: 'by training step (the template)' };
  if (template.by === 'session') {
    return {
      window: { by: 'session', size },
      rule: `windows of ${fmt(size)} sessions (the template${grownWhy(layers, base, size)})`,
    };
  }
  const perStep = layers.steps > 0 ? layers.withStep / layers.steps : 0;
  const stepped =
    layers.sessions > 0 &&
    layers.withStep >= STEP_COVERAGE * layers.sessions &&
    layers.steps >= MIN_STEPS &&
    perStep >= MIN_SESSIONS_PER_STEP;
  if (stepped && layers.steps <= MAX_WINDOWS) {
    return {
      window: { by: 'step' },
      rule: `by training step: ${layers.withStep.toLocaleString('en-US')} sessions in ${layers.steps.toLocaleString('en-US')} steps (${Math.round(perStep)} per step on average)`,
    };
  }
  const why = stepped
    ? `${fmt(layers.steps)} steps would be more than ${fmt(MAX_WINDOWS)} windows`
    : layers.withStep === 0
      ? 'the run records no training steps'
      : layers.withStep < STEP_COVERAGE * layers.sessions
        ? `only ${layers.withStep.toLocaleString('en-US')} of ${layers.sessions.toLocaleString('en-US')} sessions carry a step`
        : `${layers.steps.toLocaleString('en-US')} steps of ${perStep.toFixed(1)} sessions on average are too few to window by`;
  return {
    window: { by: 'session', size },
    rule: `windows of ${fmt(size)} sessions: ${why}${grownWhy(layers, base, size)}`,
  };
}
