import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { ddlFiles, schemaDdl, TABLES, upgradeDdl } from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { rowDecoder } from '../../../src/store/sql/row-decoder.ts';
import { sql } from '../../../src/store/sql/sql.ts';

const DOC = readFileSync(new URL('../../../docs/deploy-clickhouse.md', import.meta.url), 'utf8');

/** The `sql` code block that follows `marker` in the page. */
function blockAfter(marker: string): string {
  const at = DOC.indexOf(marker);
  assert.ok(at >= 0, `the page has ${JSON.stringify(marker)}`);
  const m = /```sql\n([\s\S]*?)\n```/.exec(DOC.slice(at));
  assert.ok(m, `a sql block follows ${JSON.stringify(marker)}`);
  return m[1]!.trim();
}

const statements = (list: readonly string[]) => list.map((s) => `${s};`).join('\n\n');

/** Columns the ClickHouse tables have beyond DuckDB's: the write time, and the version a replacing merge keeps. */
const CLICKHOUSE_ONLY = new Set(['written_at', 'version']);

describe('the ClickHouse schema', () => {
  test('docs/deploy-clickhouse.md shows exactly the DDL the code runs, each derived expression by its label', () => {
    const abbreviated = { abbreviated: true };
    const single = schemaDdl({ kind: 'single' }, 'rlaudit', abbreviated);
    const cluster = schemaDdl({ kind: 'cluster', cluster: 'rlaudit_2shards' }, 'rlaudit', abbreviated);
    assert.equal(blockAfter('### One server'), statements(single.shard));
    assert.equal(blockAfter('Local tables, on every shard:'), statements(cluster.shard));
    assert.equal(blockAfter('`Distributed` tables over them:'), statements(cluster.entry));
    const up = upgradeDdl({ kind: 'cluster', cluster: 'rlaudit_2shards' }, abbreviated);
    assert.equal(
      blockAfter('On every shard (or on the one server, without `_local`):'),
      statements(up.shard),
    );
    assert.equal(blockAfter('Then on the Distributed tables'), statements([...up.entry, up.record]));
  });

  test('docs/clickhouse-ddl/ holds the full DDL the code runs (npm run docs writes it)', () => {
    for (const [name, text] of Object.entries(ddlFiles())) {
      const path = new URL(`../../../docs/clickhouse-ddl/${name}`, import.meta.url);
      assert.equal(readFileSync(path, 'utf8'), text, `docs/clickhouse-ddl/${name} is current (npm run docs)`);
    }
    // the files hold the expressions, the page their labels
    assert.match(
      ddlFiles()['cluster-shard.sql']!,
      /output_tokens Array\(String\) MATERIALIZED extractAll\(lowerUTF8/,
    );
    assert.match(DOC, /output_tokens Array\(String\) MATERIALIZED \{tokens\(output\)\}/);
  });

  test('every table mirrors the DuckDB table of its name, column for column', async () => {
    const duck = await DuckDbStore.open(':memory:');
    const Column = rowDecoder('columns', z.object({ column_name: z.string() }));
    try {
      for (const t of TABLES) {
        const rows = await duck.client.query(
          sql`SELECT column_name FROM information_schema.columns
                WHERE table_schema = 'main' AND table_name = ${t.name} ORDER BY ordinal_position`,
          Column,
        );
        const duckColumns = rows.map((r) => r.column_name).filter((c) => !CLICKHOUSE_ONLY.has(c));
        const ours = t.columns.map(([c]) => c).filter((c) => !CLICKHOUSE_ONLY.has(c));
        assert.deepEqual([...ours].sort(), [...duckColumns].sort(), t.name);
      }
    } finally {
      await duck.close();
    }
  });

  test('a cluster has a local table on each shard and a Distributed table over it, sharded by the key', () => {
    const { shard, entry } = schemaDdl({ kind: 'cluster', cluster: 'c' }, 'db');
    assert.equal(shard.length, TABLES.length);
    assert.match(
      shard.find((s) => s.includes(' sessions_local '))!,
      /ReplacingMergeTree ORDER BY \(run, session\)/,
    );
    assert.match(
      entry.find((s) => s.includes(' sessions '))!,
      /ENGINE = Distributed\(c, db, sessions_local, cityHash64\(run, session\)\)/,
    );
  });
});
