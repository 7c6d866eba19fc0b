import { z } from 'zod';
import type { EventRecord } from '../../model/schema.ts';
import { stableStringify } from '../../model/stable-stringify.ts';
import type { JournaledText } from '../reward-journal.ts';
import {
  type LedgerBatch,
  type LedgerRunState,
  type LedgerSession,
  ledgerEvent,
  ledgerSession,
  type RewardLedger,
} from '../reward-ledger.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { join, sql } from '../sql/sql.ts';
import { jsonObject, nullableNumber, nullableText, number, text } from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { appendRows, EVENTS_TABLE, eventRow, SESSIONS_TABLE, sessionTableRow } from './stage-tables.ts';
import { transaction } from './transaction.ts';

/** Sessions appended between two turns of the event loop. */
const APPEND_SLICE = 512;

const StateRow = rowDecoder(
  'rewardRunState',
  z.object({ sessions: number, last: nullableNumber, events: number }),
);
const RunMetaRow = rowDecoder('rewardRunMeta', z.object({ has_record: z.boolean(), meta: jsonObject }));
const sessionLedgerSchema = z.object({
  session: number,
  step: nullableNumber,
  prompt_id: nullableText,
  prompt: nullableText,
  output: text,
  classification: nullableText,
  category: nullableText,
  baseline_reward: nullableNumber,
  adjusted_reward: nullableNumber,
  differential_pct: nullableNumber,
  compliance_trajectory_index: nullableNumber,
  meta: jsonObject,
  phase: text,
});
const SessionLedgerRow = rowDecoder('rewardLedgerSessions', sessionLedgerSchema);
const EventLedgerRow = rowDecoder(
  'rewardLedgerEvents',
  z.object({
    run: text,
    id: text,
    session: number,
    kind: z.enum(['scheduled_adjustment', 'recalibration']),
    parameter: text,
    target: jsonObject,
    from_value: nullableNumber,
    to_value: nullableNumber,
    change_pct: nullableNumber,
    trigger: jsonObject,
    recommended_by: nullableText,
    note: nullableText,
  }),
);

const SESSION_COLUMNS = sql`session, step, prompt_id, prompt, output, classification, category, baseline_reward,
  adjusted_reward, differential_pct, compliance_trajectory_index, CAST(meta AS VARCHAR) AS meta,
  coalesce(phase, 'training') AS phase`;

/**
 * The reward service's ledger in a DuckDB store. A batch is appended straight into `sessions` and `events` in
 * one transaction (no staging: the service has already checked that no key of the batch is stored), which is
 * what keeps a batch of 256 sessions within a few milliseconds.
 */
export class DuckDbRewardLedger implements RewardLedger {
  constructor(private readonly client: DuckDbClient) {}

  async runState(run: string): Promise<LedgerRunState> {
    const [row] = await this.client.query(
      sql`SELECT (SELECT count(*) FROM sessions WHERE run = ${run}) AS sessions,
                 (SELECT max(session) FROM sessions WHERE run = ${run}) AS last,
                 (SELECT count(*) FROM events WHERE run = ${run}) AS events`,
      StateRow,
    );
    return { sessions: row!.sessions, lastSession: row!.last, events: row!.events };
  }

  async sessionsAfter(run: string, after: number, limit: number): Promise<LedgerSession[]> {
    const rows = await this.client.query(
      sql`SELECT ${SESSION_COLUMNS} FROM sessions WHERE run = ${run} AND session > ${after}
            ORDER BY session LIMIT ${limit}`,
      SessionLedgerRow,
    );
    return rows.map(ledgerSession);
  }

  async sessionsAmong(run: string, sessions: readonly number[]): Promise<LedgerSession[]> {
    if (sessions.length === 0) return [];
    const list = join(sessions.map((s) => sql`${s}`));
    const rows = await this.client.query(
      sql`SELECT ${SESSION_COLUMNS} FROM sessions WHERE run = ${run} AND session IN (${list}) ORDER BY session`,
      SessionLedgerRow,
    );
    return rows.map(ledgerSession);
  }

  async eventsBetween(run: string, from: number, to: number): Promise<EventRecord[]> {
    const rows = await this.client.query(
      sql`SELECT run, id, session, kind, parameter, CAST(target AS VARCHAR) AS target, from_value, to_value,
                 change_pct, CAST(trigger AS VARCHAR) AS trigger, recommended_by, note
            FROM events WHERE run = ${run} AND session BETWEEN ${from} AND ${to}
            ORDER BY session, TRY_CAST(regexp_extract(id, '^e-(\\d+)$', 1) AS BIGINT) NULLS LAST, id`,
      EventLedgerRow,
    );
    return rows.map(ledgerEvent);
  }

  async runMeta(run: string): Promise<Readonly<Record<string, unknown>> | null | undefined> {
    const [row] = await this.client.query(
      sql`SELECT has_record, CAST(meta AS VARCHAR) AS meta FROM runs WHERE run = ${run}`,
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
    await this.client.exec(
      sql`INSERT INTO runs (run, model, description, meta, has_record, load_id, source_line)
            VALUES (${run}, NULL, ${record.description}, CAST(${stableStringify(record.meta)} AS JSON), true,
                    ${loadId}, 0)`,
    );
  }

  async append(batch: LedgerBatch): Promise<void> {
    await transaction(this.client, () => appendLedgerBatches(this.client, [batch]));
  }

  async appendJournaled(lines: readonly JournaledText[]): Promise<void> {
    await transaction(this.client, () => appendJournalLines(this.client, lines));
  }
}

/**
 * Appends ledger batches straight into `sessions` and `events`, and adds what they hold to their loads' counts
 * (read and accepted: one per session and per event), inside the caller's transaction: a load's counts then
 * always match what of it is stored, so a load whose service was killed (its counts never finished) still
 * reads read = accepted + rejected + duplicates once its journal is recovered
 * (src/store/duckdb/journal-recovery.ts).
 */
export async function appendLedgerBatches(
  client: DuckDbClient,
  batches: readonly LedgerBatch[],
): Promise<void> {
  for (const batch of batches) {
    const sessions = batch.sessions.map((s) => sessionTableRow(s, batch.loadId));
    const events = batch.events.map((e) => {
      const row = eventRow(e);
      row[12] = null; // calibrator events carry no time
      row.splice(row.length - 1, 0, BigInt(batch.loadId));
      return row;
    });
    // the appender's flush is synchronous (~10 µs a row): in slices, with the event loop let through between
    // them, a large batch does not hold up the service's other requests for tens of milliseconds
    for (let i = 0; i < sessions.length; i += APPEND_SLICE) {
      if (i > 0) await new Promise((r) => setImmediate(r));
      await appendRows(client, SESSIONS_TABLE, sessions.slice(i, i + APPEND_SLICE));
    }
    await appendRows(client, EVENTS_TABLE, events);
    await addToLoadCounts(client, batch.loadId, sessions.length + events.length);
  }
}

/** The journal line's shape as DuckDB's `from_json` reads it (src/store/reward-journal.ts `JournalEntry`). */
const JOURNAL_STRUCTURE = JSON.stringify([
  {
    loadId: 'BIGINT',
    sessions: [
      {
        run: 'VARCHAR',
        session: 'BIGINT',
        step: 'BIGINT',
        time: 'VARCHAR',
        prompt_id: 'VARCHAR',
        prompt: 'VARCHAR',
        output: 'VARCHAR',
        classification: 'VARCHAR',
        category: 'VARCHAR',
        baseline_reward: 'DOUBLE',
        adjusted_reward: 'DOUBLE',
        differential_pct: 'DOUBLE',
        compliance_trajectory_index: 'DOUBLE',
        flags: ['VARCHAR'],
        nested_annotations: 'VARCHAR',
        meta: 'VARCHAR',
        source_line: 'BIGINT',
        phase: 'VARCHAR',
        checkpoint: 'VARCHAR',
      },
    ],
    events: [
      {
        run: 'VARCHAR',
        id: 'VARCHAR',
        session: 'BIGINT',
        kind: 'VARCHAR',
        parameter: 'VARCHAR',
        target: 'VARCHAR',
        from_value: 'DOUBLE',
        to_value: 'DOUBLE',
        change_pct: 'DOUBLE',
        trigger: 'VARCHAR',
        recommended_by: 'VARCHAR',
        note: 'VARCHAR',
        meta: 'VARCHAR',
        source_line: 'BIGINT',
      },
    ],
  },
]);

/**
 * Appends journal lines inside the caller's transaction: DuckDB parses the lines' text (bound as one JSON
 * array) on its own threads, so moving a few thousand rows costs the service's event loop little more than
 * the statements' dispatch, where the appender costs it ~10–30 µs a row (docs/benchmarks.md). Adds the rows
 * to their loads' counts, as `appendLedgerBatches` does.
 */
export async function appendJournalLines(
  client: DuckDbClient,
  lines: readonly JournaledText[],
): Promise<void> {
  if (lines.length === 0) return;
  const doc = `[${lines.map((l) => l.text).join(',')}]`;
  const entries = sql`(SELECT unnest(from_json(${doc}, ${JOURNAL_STRUCTURE})) AS e)`;
  await client.exec(
    sql`INSERT INTO sessions (run, session, step, time, prompt_id, prompt, output, classification, category,
                              baseline_reward, adjusted_reward, differential_pct, compliance_trajectory_index,
                              flags, nested_annotations, meta, load_id, source_line, phase, checkpoint)
          SELECT r.run, r.session, r.step, CAST(r.time AS TIMESTAMPTZ), r.prompt_id, r.prompt, r.output,
                 r.classification, r.category, r.baseline_reward, r.adjusted_reward, r.differential_pct,
                 r.compliance_trajectory_index, r.flags, CAST(r.nested_annotations AS JSON), CAST(r.meta AS JSON),
                 load_id, r.source_line, r.phase, r.checkpoint
            FROM (SELECT e.loadId AS load_id, unnest(e.sessions) AS r FROM ${entries})`,
  );
  // most lines hold no event (the calibrator fires rarely): the second parse is skipped then
  if (lines.some((l) => !l.text.endsWith('"events":[]}'))) {
    await client.exec(
      sql`INSERT INTO events (run, id, session, kind, parameter, target, from_value, to_value, change_pct, trigger,
                              recommended_by, note, time, meta, load_id, source_line)
            SELECT r.run, r.id, r.session, r.kind, r.parameter, CAST(r.target AS JSON), r.from_value, r.to_value,
                   r.change_pct, CAST(r.trigger AS JSON), r.recommended_by, r.note, NULL, CAST(r.meta AS JSON),
                   load_id, r.source_line
              FROM (SELECT e.loadId AS load_id, unnest(e.events) AS r FROM ${entries})`,
    );
  }
  const perLoad = new Map<number, number>();
  for (const l of lines) perLoad.set(l.loadId, (perLoad.get(l.loadId) ?? 0) + l.rows);
  for (const [loadId, n] of perLoad) await addToLoadCounts(client, loadId, n);
}

/** Adds `n` stored rows to a load's and its ingest's counts (read and accepted). */
async function addToLoadCounts(client: DuckDbClient, loadId: number, n: number): Promise<void> {
  if (n === 0) return;
  await client.exec(
    sql`UPDATE loads SET read = coalesce(read, 0) + ${n}, accepted = coalesce(accepted, 0) + ${n},
                         rejected = coalesce(rejected, 0), duplicates = coalesce(duplicates, 0),
                         conflicts = coalesce(conflicts, 0)
          WHERE load_id = ${loadId}`,
  );
  await client.exec(
    sql`UPDATE ingests SET read = coalesce(read, 0) + ${n}, accepted = coalesce(accepted, 0) + ${n},
                           rejected = coalesce(rejected, 0), duplicates = coalesce(duplicates, 0),
                           conflicts = coalesce(conflicts, 0)
          WHERE ingest_id = (SELECT ingest_id FROM loads WHERE load_id = ${loadId})`,
  );
}
