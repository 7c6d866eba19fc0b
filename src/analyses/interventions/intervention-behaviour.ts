import { compileTarget } from '../../calibration/phrase-matcher.ts';
import { categoryKey } from '../../model/phrase-pattern.ts';
import type { BehaviourBin, BehaviourBinQuery, BehaviourTarget } from '../../store/scans/event-scans.ts';

export type { BehaviourBin, BehaviourTarget } from '../../store/scans/event-scans.ts';

/** The fields of a session a behaviour is read from. */
export interface BehaviourSession {
  readonly session: number;
  readonly output: string;
  readonly classification?: string | null | undefined;
  readonly category?: number | string | null | undefined;
}

/**
 * The behaviour an event targets: its category's rate for `{category}`, the phrase (regex) rate for
 * `{phrase}` (`{regex}`), and for `{global}` the `metric` (default: the non-compliant rate). Null for a
 * target of another shape.
 *
 * @example targetBehaviour({ category: 2 }) // { kind: 'category', category: '2' }
 */
export function targetBehaviour(
  target: Readonly<Record<string, unknown>>,
  metric: BehaviourTarget = { kind: 'non_compliant' },
): BehaviourTarget | null {
  const c = target.category;
  if (typeof c === 'number' || (typeof c === 'string' && c !== ''))
    return { kind: 'category', category: String(c) };
  if (typeof target.phrase === 'string' && target.phrase !== '')
    return { kind: 'phrase', phrase: target.phrase };
  if (typeof target.regex === 'string' && target.regex !== '') return { kind: 'regex', regex: target.regex };
  if (target.global === true) return metric;
  return null;
}

/** Parses a `--metric` value: `non_compliant`, `category:<id>`, `phrase:<text>` or `regex:<pattern>`. */
export function parseMetric(text: string): BehaviourTarget | null {
  if (text === 'non_compliant') return { kind: 'non_compliant' };
  const m = /^(category|phrase|regex):(.+)$/s.exec(text);
  if (!m) return null;
  const value = m[2]!;
  if (m[1] === 'category') return { kind: 'category', category: value };
  return m[1] === 'phrase' ? { kind: 'phrase', phrase: value } : { kind: 'regex', regex: value };
}

/** How a behaviour is written in tables: `category 2`, `phrase "…"`, `/…/i`, `non-compliant`. */
export function behaviourLabel(target: BehaviourTarget): string {
  switch (target.kind) {
    case 'category':
      return `category ${categoryKey(target.category)}`;
    case 'phrase':
      return `phrase "${target.phrase}"`;
    case 'regex':
      return `/${target.regex}/${target.flags ?? 'i'}`;
    case 'non_compliant':
      return 'non-compliant';
  }
}

/**
 * The behaviour as a predicate on a session, in TypeScript, with the semantics of the store scan (the
 * calibrator's phrase matching; categories compared by `categoryKey`). Used where records are in memory
 * (the counterfactual replay, the coverage study) and by the tests as the independent computation.
 */
export function behaviourPredicate(target: BehaviourTarget): (s: BehaviourSession) => boolean {
  switch (target.kind) {
    case 'category': {
      const key = categoryKey(target.category);
      return (s) => s.category !== null && s.category !== undefined && categoryKey(s.category) === key;
    }
    case 'phrase':
    case 'regex': {
      const m = compileTarget(target.kind === 'phrase' ? { phrase: target.phrase } : target);
      return (s) => m.test(s.output);
    }
    case 'non_compliant':
      return (s) => s.classification === 'non_compliant';
  }
}

/** {@link BehaviourBin}s of in-memory sessions, exactly as the store's `behaviourBins` scan counts them. */
export function countBehaviourBins(
  sessions: Iterable<BehaviourSession>,
  query: BehaviourBinQuery,
): BehaviourBin[] {
  const test = behaviourPredicate(query.target);
  const bins = new Map<number, { sessions: number; hits: number }>();
  for (const s of sessions) {
    if (s.session < query.from || s.session > query.to) continue;
    const bin = Math.floor((s.session - query.anchor - 1) / query.binSize);
    const b = bins.get(bin) ?? { sessions: 0, hits: 0 };
    b.sessions += 1;
    if (test(s)) b.hits += 1;
    bins.set(bin, b);
  }
  return [...bins.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([bin, b]) => {
      const from = query.anchor + bin * query.binSize + 1;
      return { bin, from, to: from + query.binSize - 1, ...b };
    });
}
