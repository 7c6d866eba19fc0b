import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The SQL layer's rules, checked over the source of every backend: a review that cannot be forgotten.
const STORE = fileURLToPath(new URL('../../src/store/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** The code of a file without its comments (JSDoc examples may show what code must not do). */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
const sources = files(STORE).map((p) => ({ path: relative(STORE, p), text: code(readFileSync(p, 'utf8')) }));
const backend = sources.filter((s) => !s.path.startsWith('sql/') && s.path.includes('/'));

/** Where `raw()` is allowed, each for our own constant SQL: review any addition to this list. */
const RAW_ALLOWED = new Set([
  'duckdb/tokens-sql.ts', // the tokenizer's regex literal
  'duckdb/normalise-sql.ts', // the normalisation's regex literals
  'duckdb/scans/ngram-scans.ts', // the Wilson constants as numeric literals
  'duckdb/memory-limit.ts', // the memory limit, checked against a strict pattern (SET takes no parameter)
  'duckdb/stage-tables.ts', // DuckDB's own type names
  'duckdb/engine-jsonl.ts', // the scan's checks, generated from the field rules' names (file and runs are bound)
  'duckdb/engine-jsonl-fast.ts', // the same checks for the fast scan, from the same constant field names
  // the DDL, generated from the table specs; the database and cluster names are checked as plain identifiers
  // (store-url.ts) before they reach it
  'clickhouse/clickhouse-schema.ts',
  // the n-gram lambda `(x0, …, xn) -> concat(…)`, generated from a checked integer n (no value in it)
  'clickhouse/text-sql.ts',
  // the stage tables' column types, taken from the same table specs (TABLES of clickhouse-schema.ts)
  'clickhouse/clickhouse-writer.ts',
]);

describe('SQL conventions of the store backends', () => {
  test('backend code builds no SQL as a Query object or a plain string', () => {
    for (const s of backend) {
      assert.doesNotMatch(s.text, /\bsql:\s*[`'"]/, `${s.path} writes { sql: … } by hand`);
      assert.doesNotMatch(s.text, /\.(exec|query)(<[^>]*>)?\(\s*[`'"]/, `${s.path} runs SQL text`);
    }
  });

  test('every query of a backend decodes its rows (no unchecked query<T>)', () => {
    for (const s of backend) assert.doesNotMatch(s.text, /\.query</, `${s.path} casts rows unchecked`);
  });

  test('raw() appears only where our own constant SQL is inserted', () => {
    for (const s of backend) {
      if (/\braw\(/.test(s.text)) assert.ok(RAW_ALLOWED.has(s.path), `${s.path} uses raw(): review it`);
    }
  });

  test('a transaction is opened only by transaction(), and no local number helper decodes rows', () => {
    for (const s of backend) {
      if (s.path !== 'duckdb/transaction.ts') assert.doesNotMatch(s.text, /BEGIN|COMMIT|ROLLBACK/, s.path);
      // a backend's decode.ts is where its row decoders live (ClickHouse sends 64-bit integers as strings)
      if (!s.path.endsWith('/decode.ts')) {
        assert.doesNotMatch(s.text, /const (num|numOrNull|int) = /, `${s.path} has its own number helper`);
      }
    }
  });
});
