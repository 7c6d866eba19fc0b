import type { AnnotationRecord, EventRecord } from '../model/schema.ts';

/**
 * A stored standalone annotation or event as the record it was ingested from, the same for every backend
 * (`Store.scanRunRecords`, `rlaudit copy`): optional fields left out when null, empty flags left out, JSON
 * columns parsed, a time as ISO 8601 text.
 */
export interface StoredAnnotationColumns {
  readonly id: string;
  readonly session: number;
  readonly author: string | null;
  readonly text: string;
  readonly time: string | null;
  readonly classification: string | null;
  readonly flags: readonly string[];
  readonly meta: unknown;
}

export interface StoredEventColumns {
  readonly id: string;
  readonly session: number;
  readonly kind: string;
  readonly parameter: string;
  readonly target: unknown;
  readonly from_value: number | null;
  readonly to_value: number | null;
  readonly change_pct: number | null;
  readonly trigger: unknown;
  readonly recommended_by: string | null;
  readonly note: string | null;
  readonly time: string | null;
  readonly meta: unknown;
}

function withoutNulls(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}

export function annotationRecord(run: string, a: StoredAnnotationColumns): AnnotationRecord {
  return withoutNulls({
    type: 'annotation',
    run,
    id: a.id,
    session: a.session,
    author: a.author,
    text: a.text,
    time: a.time,
    classification: a.classification,
    flags: a.flags.length > 0 ? [...a.flags] : null,
    meta: a.meta,
  }) as AnnotationRecord;
}

export function eventRecord(run: string, e: StoredEventColumns): EventRecord {
  return withoutNulls({
    type: 'event',
    run,
    id: e.id,
    session: e.session,
    kind: e.kind,
    parameter: e.parameter,
    target: e.target,
    from: e.from_value,
    to: e.to_value,
    change_pct: e.change_pct,
    trigger: e.trigger,
    recommended_by: e.recommended_by,
    note: e.note,
    time: e.time,
    meta: e.meta,
  }) as EventRecord;
}
