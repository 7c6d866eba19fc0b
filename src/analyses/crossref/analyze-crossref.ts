import type { Store } from '../../store/store.ts';
import {
  AFFECT_WORDS,
  DEFAULT_FORMAT_RULES,
  FIRST_PERSON,
  type FormatRuleOptions,
} from './annotation-format.ts';
import { type CrossrefResult, crossReference } from './crossref.ts';

export interface CrossrefOptions {
  /** Events within ±near sessions of a flagged annotation are joined to it (default 0). */
  readonly near?: number;
  readonly rules?: Partial<FormatRuleOptions>;
  /** At most this many prefiltered annotations are read (default 5,000). */
  readonly limit?: number;
}

export type { CrossrefResult } from './crossref.ts';

/**
 * The cross-reference of a run: annotations departing from their author's standard format, joined with
 * calibration events at the same or nearby sessions.
 *
 * @example
 * const r = await analyzeCrossref(store, 'wild-7', { near: 0 });
 * r.coOccurrences[0]?.summary // 'annotation a-4833-note-1 (Vasquez: first_person, affect, …) and event e-3 … independent …'
 */
export async function analyzeCrossref(
  store: Store,
  run: string,
  options: CrossrefOptions = {},
): Promise<CrossrefResult> {
  const layers = await store.scans.runLayers(run);
  const rules = { ...DEFAULT_FORMAT_RULES, ...options.rules };
  const events = layers.events > 0 ? await store.scans.listEvents(run) : [];
  const scan =
    layers.annotations > 0
      ? await store.scans.annotationFeatures(run, {
          lexicon: { firstPerson: FIRST_PERSON, affect: AFFECT_WORDS },
          lengthZ: rules.lengthZ,
          standardFieldShare: rules.standardFieldShare,
          limit: options.limit ?? 5000,
          textChars: 400,
        })
      : { profiles: [], candidates: [], candidatesTotal: 0 };
  return crossReference({
    annotations: layers.annotations,
    events,
    ...scan,
    near: options.near ?? 0,
    rules,
  });
}
