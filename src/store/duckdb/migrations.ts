import { z } from 'zod';
import { rowDecoder } from '../sql/row-decoder.ts';
import { type SqlFragment, sql } from '../sql/sql.ts';
import { nullableNumber } from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { transaction } from './transaction.ts';

/**
 * Versioned schema of the DuckDB store. Each migration runs once, in order, inside a transaction, and
 * records its version in `schema_version`. Never edit a released migration: add the next one.
 */
export const MIGRATIONS: readonly {
  readonly version: number;
  readonly description: string;
  /** The migration's DDL, several statements, no values. */
  readonly ddl: SqlFragment;
}[] = [
  {
    version: 1,
    description: 'training record: runs, sessions, annotations, events; ingest bookkeeping and rejects',
    ddl: sql`
CREATE SEQUENCE ingest_id_seq START 1;
CREATE SEQUENCE load_id_seq START 1;
CREATE TABLE runs (
  run VARCHAR NOT NULL,
  model VARCHAR, description VARCHAR, meta JSON,
  has_record BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  load_id BIGINT, source_line BIGINT
);
CREATE TABLE sessions (
  run VARCHAR NOT NULL,
  session BIGINT NOT NULL,
  step BIGINT,
  time TIMESTAMPTZ,
  prompt_id VARCHAR,
  prompt VARCHAR,
  output VARCHAR NOT NULL,
  classification VARCHAR,
  category VARCHAR,
  baseline_reward DOUBLE,
  adjusted_reward DOUBLE,
  differential_pct DOUBLE,
  compliance_trajectory_index DOUBLE,
  flags VARCHAR[],
  nested_annotations JSON,
  meta JSON,
  load_id BIGINT NOT NULL,
  source_line BIGINT NOT NULL
);
CREATE TABLE annotations (
  run VARCHAR NOT NULL,
  id VARCHAR NOT NULL,
  session BIGINT NOT NULL,
  author VARCHAR,
  text VARCHAR NOT NULL,
  time TIMESTAMPTZ,
  classification VARCHAR,
  flags VARCHAR[],
  meta JSON,
  nested BOOLEAN NOT NULL,
  load_id BIGINT NOT NULL,
  source_line BIGINT NOT NULL
);
CREATE TABLE events (
  run VARCHAR NOT NULL,
  id VARCHAR NOT NULL,
  session BIGINT NOT NULL,
  kind VARCHAR NOT NULL,
  parameter VARCHAR NOT NULL,
  target JSON NOT NULL,
  from_value DOUBLE,
  to_value DOUBLE,
  change_pct DOUBLE,
  trigger JSON,
  recommended_by VARCHAR,
  note VARCHAR,
  time TIMESTAMPTZ,
  meta JSON,
  load_id BIGINT NOT NULL,
  source_line BIGINT NOT NULL
);
CREATE TABLE rejects (
  run VARCHAR,
  load_id BIGINT NOT NULL,
  source_file VARCHAR NOT NULL,
  source_line BIGINT NOT NULL,
  record_type VARCHAR,
  field VARCHAR NOT NULL,
  expected VARCHAR NOT NULL,
  got VARCHAR NOT NULL,
  conflict_file VARCHAR,
  conflict_line BIGINT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE ingests (
  ingest_id BIGINT NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  status VARCHAR NOT NULL,
  run_option VARCHAR,
  read BIGINT, accepted BIGINT, rejected BIGINT, duplicates BIGINT, conflicts BIGINT
);
CREATE TABLE loads (
  load_id BIGINT NOT NULL,
  ingest_id BIGINT NOT NULL,
  path VARCHAR NOT NULL,
  abs_path VARCHAR NOT NULL,
  format VARCHAR NOT NULL,
  bytes BIGINT NOT NULL,
  sha256 VARCHAR,
  status VARCHAR NOT NULL,
  read BIGINT, accepted BIGINT, rejected BIGINT, duplicates BIGINT, conflicts BIGINT,
  started_at TIMESTAMPTZ NOT NULL, finished_at TIMESTAMPTZ
);
`,
  },
  {
    version: 2,
    description: 'per-step metrics of a run (train_reward, kl, …), long format',
    ddl: sql`
CREATE TABLE step_metrics (
  run VARCHAR NOT NULL,
  step BIGINT NOT NULL,
  name VARCHAR NOT NULL,
  value DOUBLE NOT NULL,
  load_id BIGINT NOT NULL,
  source_line BIGINT NOT NULL
);
`,
  },
  {
    version: 3,
    description: 'audit tracking: audits, their sections (resumable), and the auditor operations summary',
    ddl: sql`
CREATE SEQUENCE audit_id_seq START 1;
CREATE TABLE audits (
  audit_id BIGINT NOT NULL,
  run VARCHAR NOT NULL,
  template VARCHAR NOT NULL,
  config_hash VARCHAR NOT NULL,
  config JSON NOT NULL,
  status VARCHAR NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  report JSON
);
CREATE TABLE audit_sections (
  audit_id BIGINT NOT NULL,
  position INTEGER NOT NULL,
  section_id VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  started_at TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  duration_ms BIGINT,
  result JSON,
  error VARCHAR
);
CREATE TABLE audit_operations (
  audit_id BIGINT NOT NULL,
  metric VARCHAR NOT NULL,
  p50 DOUBLE NOT NULL,
  p95 DOUBLE NOT NULL,
  max DOUBLE NOT NULL
);
`,
  },
  {
    version: 4,
    description: 'analysis results cached by run fingerprint, code and parameters',
    ddl: sql`
CREATE TABLE analysis_cache (
  run VARCHAR NOT NULL,
  key VARCHAR NOT NULL,
  fingerprint VARCHAR NOT NULL,
  value VARCHAR NOT NULL,
  created_at TIMESTAMPTZ NOT NULL
);
`,
  },
  {
    version: 5,
    description:
      'phases: the phase a session comes from (training when null), the checkpoint it was sampled from, and the training sessions the training analyses read',
    // The training analyses (convergence, diversity, interventions, …) describe training: they read
    // `training_sessions`; the transition analysis and the record views read every phase from `sessions`.
    ddl: sql`
ALTER TABLE sessions ADD COLUMN phase VARCHAR;
ALTER TABLE sessions ADD COLUMN checkpoint VARCHAR;
CREATE VIEW training_sessions AS SELECT * FROM sessions WHERE phase IS NULL OR phase = 'training';
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

const VersionRow = rowDecoder('schemaVersion', z.object({ v: nullableNumber }));

/** Brings the database up to `SCHEMA_VERSION`; refuses a database written by a newer rlaudit. */
export async function migrate(client: DuckDbClient): Promise<number> {
  await client.exec(
    sql`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, description VARCHAR, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
  );
  const rows = await client.query(sql`SELECT max(version) AS v FROM schema_version`, VersionRow);
  const current = rows[0]?.v ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `database schema version ${current} is newer than this rlaudit supports (${SCHEMA_VERSION}); upgrade rlaudit`,
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    await transaction(client, async () => {
      await client.exec(m.ddl);
      await client.exec(
        sql`INSERT INTO schema_version (version, description) VALUES (${m.version}, ${m.description})`,
      );
    });
  }
  return SCHEMA_VERSION;
}
