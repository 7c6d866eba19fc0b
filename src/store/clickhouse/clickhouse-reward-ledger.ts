import { z } from 'zod';
import type { EventRecord, SessionRecord } from '../../model/schema.ts';
import type { Staged } from '../../sources/staged.ts';
import type { JournalEntry, JournaledText } from '../reward-journal.ts';
import {
  type LedgerBatch,
  type LedgerRunState,
  type LedgerSession,
  ledgerEvent,
  ledgerSession,
  type RewardLedger,
} from '../reward-ledger.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { list, sql } from '../sql/sql.ts';
import type { ClickHouseStore } from './clickhouse-store.ts';
import { float, int, nullableInt, nullableText, text } from './decode.ts';

const nullableFloat = float.nullable();
const jsonObject = nullableText.transform((v) =>
  v === null ? null : (JSON.parse(v) as Record<string, unknown>),
);

const StateRow = rowDecoder('chRewardRunState', z.object({ n: int, last: int }));
const CountRow = rowDecoder('chRewardEventCount', z.object({ n: int }));
const RunMetaRow = rowDecoder('chRewardRunMeta', z.object({ has_record: int, meta: jsonObject }));
const sessionSchema = z.object({
  session: int,
  step: nullableInt,
  prompt_id: nullableText,
  prompt: nullableText,
  output: text,
  classification: nullableText,
  category: nullableText,
  baseline_reward: nullableFloat,
  adjusted_reward: nullableFloat,
  differential_pct: nullableFloat,
  compliance_trajectory_index: nullableFloat,
  meta: jsonObject,
  phase: text,
});
const SessionRow = rowDecoder('chRewardLedgerSessions', sessionSchema);
const EventRow = rowDecoder(
  'chRewardLedgerEvents',
  z.object({
    run: text,
    id: text,
    session: int,
    kind: z.enum(['scheduled_adjustment', 'recalibration']),
    parameter: text,
    target: jsonObject,
    from_value: nullableFloat,
    to_value: nullableFloat,
    change_pct: nullableFloat,
    trigger: jsonObject,
    recommended_by: nullableText,
    note: nullableText,
  }),
);

const SESSION_COLUMNS = sql`session, step, prompt_id, prompt, output, classification, category, baseline_reward,
  adjusted_reward, differential_pct, compliance_trajectory_index, meta, ifNull(phase, 'training') AS phase`;

/** Values per `IN (…)` list of session numbers (a statement stays far below max_query_size). */
const IN_CHUNK = 2000;

/** The number of an `e-<n>` event id (the calibrator's firing order), or null for another id. */
function firingNumber(id: string): number | null {
  const m = /^e-(\d+)$/.exec(id);
  return m ? Number(m[1]) : null;
}

/**
 * A journal line (src/store/reward-journal.ts) back as the staged records it was made from: the inverse of
 * `journalSessionRow` / `journalEventRow` for what the ClickHouse writer reads of a record (`sessionRow`,
 * `eventRow` of clickhouse-rows.ts give the same rows for both; a test holds them equal).
 */
export function stagedOfJournal(entry: JournalEntry): {
  sessions: Staged<SessionRecord>[];
  events: Staged<EventRecord>[];
} {
  // a journal line leaves out the columns that are NULL (src/store/reward-journal.ts): absent is null here
  const parse = (v: string | null | undefined): unknown => (v == null ? undefined : JSON.parse(v));
  const sessions = entry.sessions.map((r): Staged<SessionRecord> => {
    const record: Record<string, unknown> = {
      type: 'session',
      run: r.run,
      session: r.session,
      step: r.step ?? null,
      prompt_id: r.prompt_id ?? null,
      prompt: r.prompt ?? null,
      output: r.output,
      classification: r.classification ?? null,
      category: r.category ?? null,
      baseline_reward: r.baseline_reward ?? null,
      adjusted_reward: r.adjusted_reward ?? null,
      differential_pct: r.differential_pct ?? null,
      compliance_trajectory_index: r.compliance_trajectory_index ?? null,
    };
    if (r.time != null) record.time = r.time;
    if (r.flags != null) record.flags = r.flags;
    if (r.nested_annotations != null) record.annotations = parse(r.nested_annotations);
    if (r.meta != null) record.meta = parse(r.meta);
    if (r.phase != null) record.phase = r.phase;
    if (r.checkpoint != null) record.checkpoint = r.checkpoint;
    return { run: r.run, line: r.source_line, record: record as SessionRecord };
  });
  const events = entry.events.map(
    (r): Staged<EventRecord> => ({
      run: r.run,
      line: r.source_line,
      record: {
        type: 'event',
        run: r.run,
        session: r.session,
        id: r.id,
        kind: r.kind,
        parameter: r.parameter,
        target: JSON.parse(r.target),
        from: r.from_value ?? null,
        to: r.to_value ?? null,
        change_pct: r.change_pct ?? null,
        trigger: parse(r.trigger) ?? null,
        recommended_by: r.recommended_by ?? null,
        note: r.note ?? null,
        ...(r.meta != null ? { meta: parse(r.meta) } : {}),
      } as EventRecord,
    }),
  );
  return { sessions, events };
}

/**
 * The reward service's ledger in a ClickHouse store (docs/integrations.md, "On ClickHouse"). ClickHouse has no
 * transactions: a batch is written by the store's own writer (src/store/clickhouse/clickhouse-writer.ts), which
 * classifies every row against what is stored (`FINAL`) and inserts only the keys not stored, in dependency
 * order. Writing a batch again after a kill part-way through it therefore stores exactly the rows that were
 * missing, and nothing twice: that is what makes the journal's move into the cluster exactly once (the service
 * keeps a batch in its journal until the writer has returned, and a restart writes every journal line again).
 */
export class ClickHouseRewardLedger implements RewardLedger {
  /**
   * A move costs about a dozen round trips to the cluster whatever its size (classification reads, stage
   * table, INSERT … SELECT per table, load counts): moved in groups of up to 16,384 rows, the cluster keeps
   * up with answers at several thousand sessions/s (docs/benchmarks.md) where 1,024 fell behind.
   */
  readonly moveRows = 16_384;

  constructor(private readonly store: ClickHouseStore) {}

  async runState(run: string): Promise<LedgerRunState> {
    const c = this.store.client;
    const [s] = await c.query(
      sql`SELECT count() AS n, max(session) AS last FROM sessions FINAL WHERE run = ${run}`,
      StateRow,
    );
    const [e] = await c.query(sql`SELECT count() AS n FROM events FINAL WHERE run = ${run}`, CountRow);
    const n = s?.n ?? 0;
    // max() of no rows is 0 in ClickHouse, not NULL
    return { sessions: n, lastSession: n === 0 ? null : s!.last, events: e?.n ?? 0 };
  }

  async sessionsAfter(run: string, after: number, limit: number): Promise<LedgerSession[]> {
    const rows = await this.store.client.query(
      sql`SELECT ${SESSION_COLUMNS} FROM sessions FINAL WHERE run = ${run} AND session > ${after}
            ORDER BY session LIMIT ${limit}`,
      SessionRow,
    );
    return rows.map(ledgerSession);
  }

  async sessionsAmong(run: string, sessions: readonly number[]): Promise<LedgerSession[]> {
    const out: LedgerSession[] = [];
    for (let i = 0; i < sessions.length; i += IN_CHUNK) {
      const part = sessions.slice(i, i + IN_CHUNK);
      const rows = await this.store.client.query(
        sql`SELECT ${SESSION_COLUMNS} FROM sessions FINAL WHERE run = ${run} AND session IN (${list(part)})`,
        SessionRow,
      );
      out.push(...rows.map(ledgerSession));
    }
    return out.sort((a, b) => a.session - b.session);
  }

  async eventsBetween(run: string, from: number, to: number): Promise<EventRecord[]> {
    const rows = await this.store.client.query(
      sql`SELECT run, id, session, kind, parameter, target, from_value, to_value, change_pct, trigger,
                 recommended_by, note
            FROM events FINAL WHERE run = ${run} AND session BETWEEN ${from} AND ${to}`,
      EventRow,
    );
    // the DuckDB ledger's order: session, then the number of an `e-<n>` id (others last), then id (few rows)
    rows.sort((a, b) => {
      if (a.session !== b.session) return a.session - b.session;
      const x = firingNumber(a.id);
      const y = firingNumber(b.id);
      if (x !== y) return x === null ? 1 : y === null ? -1 : x - y;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
    return rows.map(ledgerEvent);
  }

  async runMeta(run: string): Promise<Readonly<Record<string, unknown>> | null | undefined> {
    const [row] = await this.store.client.query(
      sql`SELECT has_record, meta FROM runs FINAL WHERE run = ${run}`,
      RunMetaRow,
    );
    if (row === undefined) return undefined;
    return row.has_record ? (row.meta ?? {}) : null;
  }

  async createRun(
    run: string,
    record: { readonly description: string; readonly meta: Record<string, unknown> },
    loadId: number,
  ): Promise<void> {
    const counts = await this.store.writeBatch({
      loadId,
      sourceFile: `serve-reward:${run}`,
      runs: [
        { run, line: 0, record: { type: 'run', run, description: record.description, meta: record.meta } },
      ],
      sessions: [],
      annotations: [],
      events: [],
      rejects: [],
      runIds: [run],
    });
    if (counts.accepted !== 1) {
      throw new Error(`serve-reward: run '${run}' exists in ${this.store.location}: it was not created`);
    }
  }

  async append(batch: LedgerBatch): Promise<void> {
    await this.write(batch.loadId, batch.sessions, batch.events);
  }

  async appendJournaled(lines: readonly JournaledText[]): Promise<void> {
    // consecutive lines of one load in one write (a recovery may move lines of an earlier service's load)
    let i = 0;
    while (i < lines.length) {
      const loadId = lines[i]!.loadId;
      const sessions: Staged<SessionRecord>[] = [];
      const events: Staged<EventRecord>[] = [];
      for (; i < lines.length && lines[i]!.loadId === loadId; i++) {
        const staged = stagedOfJournal(JSON.parse(lines[i]!.text) as JournalEntry);
        sessions.push(...staged.sessions);
        events.push(...staged.events);
      }
      await this.write(loadId, sessions, events);
    }
  }

  /**
   * Writes sessions and events through the store's writer (rows already stored are duplicates, written
   * nothing) and adds what it stored to the load's counts.
   */
  private async write(
    loadId: number,
    sessions: readonly Staged<SessionRecord>[],
    events: readonly Staged<EventRecord>[],
  ): Promise<void> {
    if (sessions.length === 0 && events.length === 0) return;
    const run = sessions[0]?.run ?? events[0]!.run;
    const counts = await this.store.writeBatch({
      loadId,
      sourceFile: `serve-reward:${run}`,
      runs: [],
      sessions,
      annotations: [],
      events,
      rejects: [],
      runIds: [run],
    });
    if (counts.conflicts > 0) {
      // the service answers a session only once it calibrated it after every stored one: a stored session of
      // other content can only come from outside the service (it is kept, as ingest keeps a stored copy)
      throw new Error(
        `serve-reward: ${counts.conflicts} row(s) of run '${run}' are stored in ${this.store.location} with ` +
          'other content (written outside the service); the stored copies are kept (rlaudit rejects)',
      );
    }
    await this.store.addToLoadCounts(loadId, counts.accepted);
  }
}
