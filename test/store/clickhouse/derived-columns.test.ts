import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { InputError } from '../../../src/model/errors.ts';
import { normaliseText } from '../../../src/model/phrase-pattern.ts';
import { tokenize } from '../../../src/stats/tokenize.ts';
import type { ClickHouseClient } from '../../../src/store/clickhouse/clickhouse-client.ts';
import {
  CLICKHOUSE_SCHEMA_VERSION,
  localTableDdl,
  schemaDdl,
  TABLES,
  upgradeDdl,
} from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../../../src/store/clickhouse/clickhouse-store.ts';
import { int } from '../../../src/store/clickhouse/decode.ts';
import { OUTPUT_NORM_TOKENS } from '../../../src/store/clickhouse/derived-columns.ts';
import { rowDecoder } from '../../../src/store/sql/row-decoder.ts';
import { raw, sql } from '../../../src/store/sql/sql.ts';
import { clickHouseCluster } from './cluster.ts';

const ch = await clickHouseCluster('derived');
const CLUSTER = 'rlaudit_2shards';

/** Every apostrophe variant and every space character normaliseText knows, between letters and at the ends. */
const APOSTROPHES = ['\u2018', '\u2019', '\u201B', '\u02BC', '\u2032', '\uFF07', "'"];
const SPACES = ['\t', '\n', '\u000B', '\f', '\r', ' ', '\u00A0', '\u1680', '\u2028', '\u2029', '\u202F'];
const TEXTS = [
  ...APOSTROPHES.flatMap((a) => [`don${a}t stop`, `${a}quoted${a}`, `l${a}${a}x ${a}`]),
  ...SPACES.flatMap((s) => [`a${s}b`, `${s}${s}x${s}y${s}`]),
  ...Array.from({ length: 11 }, (_, i) => `w${String.fromCodePoint(0x2000 + i)}v`),
  ['\u205F', '\u3000', '\uFEFF'].join('Ab'),
  "It's ÉCOLE-time, 42 fois! Don’t stop.",
  'İSTANBUL ΣΑΣ straße ẞ Ꭰꭰ ǅ Ⰰ 𐐀 東京 タワー 한국어 👍🏽',
  '',
  '   ',
];

const sessionRows = (run: string, texts: readonly string[], from = 1) =>
  texts.map((output, i) => ({
    run,
    session: from + i,
    output,
    flags: [],
    load_id: 1,
    source_line: from + i,
  }));

const Derived = rowDecoder(
  'derived',
  z.object({
    session: int,
    output: z.string(),
    output_tokens: z.array(z.string()),
    output_norm: z.string(),
    norm_tokens: z.array(z.string()),
  }),
);

/** Each stored session's derived columns, read through `table`. */
async function derived(c: ClickHouseClient, table: string, run: string) {
  return c.query(
    sql`SELECT session, output, output_tokens, output_norm, ${OUTPUT_NORM_TOKENS} AS norm_tokens
          FROM (SELECT *, output_tokens, output_norm, output_apostrophe_tokens FROM ${raw(table)} FINAL WHERE run = ${run})
          ORDER BY session`,
    Derived,
  );
}

/** The derived columns equal tokenize / normaliseText of each text, row for row. */
function assertDerived(rows: Awaited<ReturnType<typeof derived>>, texts: readonly string[]): void {
  assert.equal(rows.length, texts.length);
  for (const [i, t] of texts.entries()) {
    const r = rows[i]!;
    assert.equal(r.output, t);
    assert.deepEqual(r.output_tokens, tokenize(t), JSON.stringify(t));
    assert.equal(r.output_norm, normaliseText(t), JSON.stringify(t));
    assert.deepEqual(r.norm_tokens, tokenize(normaliseText(t)), JSON.stringify(t));
  }
}

const url = (database: string) =>
  `clickhouse://default@127.0.0.1:${ch.httpPorts[0]}/${database}?cluster=${CLUSTER}`;

describe('text derived at insert (MATERIALIZED columns)', { skip: ch.skip }, () => {
  test('on one server the stored tokens and normalised text are those of tokenize() and normaliseText()', async () => {
    const db = await ch.database2('single');
    const [c] = await ch.shardClients(db);
    const sessions = TABLES.find((t) => t.name === 'sessions')!;
    await c!.command(sql`${raw(localTableDdl(sessions, { kind: 'single' }))}`);
    await c!.insert('sessions', sessionRows('r', TEXTS));
    assertDerived(await derived(c!, 'sessions', 'r'), TEXTS);
    // an insert never names them, and `SELECT *` leaves them out
    const [star] = await c!.query(
      sql`SELECT * FROM sessions LIMIT 1`,
      rowDecoder('star', z.record(z.string(), z.unknown())),
    );
    assert.ok(
      star && !('output_tokens' in star) && !('output_norm' in star),
      JSON.stringify(Object.keys(star ?? {})),
    );
  });

  test('through a Distributed table the shards compute and store them; the Distributed table reads them back', async () => {
    const db = await ch.database2('cluster');
    const shards = await ch.shardClients(db);
    const ddl = schemaDdl({ kind: 'cluster', cluster: CLUSTER }, db);
    for (const c of shards) for (const s of [...ddl.shard, ...ddl.entry]) await c.command(sql`${raw(s)}`);
    await shards[0]!.insert('sessions', sessionRows('r', TEXTS));
    assertDerived(await derived(shards[0]!, 'sessions', 'r'), TEXTS);
    // `SELECT *` through the Distributed table leaves them out too (the reads of the store use it)
    const [star] = await shards[0]!.query(
      sql`SELECT * FROM sessions LIMIT 1`,
      rowDecoder('star', z.record(z.string(), z.unknown())),
    );
    assert.deepEqual(
      Object.keys(star ?? {}).filter((k) => k.startsWith('output')),
      ['output'],
    );
    // stored on the shards (columns of the parts), not computed on read
    const Stored = rowDecoder('stored', z.object({ n: int }));
    for (const c of shards) {
      const [r] = await c.query(
        sql`SELECT count() AS n FROM system.parts_columns
              WHERE database = currentDatabase() AND table = 'sessions_local' AND active
                AND column IN ('output_tokens', 'output_norm', 'output_apostrophe_tokens')`,
        Stored,
      );
      assert.ok((r?.n ?? 0) >= 3, 'each shard has parts holding the three columns');
    }
  });

  for (const from of [2, 3]) {
    test(`a store of schema version ${from} is refused with what to do, and after the documented ALTERs answers as a new one`, async () => {
      const db = await ch.database2(`upgrade${from}`);
      const shards = await ch.shardClients(db);
      const v1 = schemaDdl({ kind: 'cluster', cluster: CLUSTER }, db, { version: from });
      for (const c of shards) for (const s of [...v1.shard, ...v1.entry]) await c.command(sql`${raw(s)}`);
      await shards[0]!.command(
        sql`INSERT INTO schema_version (version, description) VALUES (${from}, 'old')`,
      );
      const before = TEXTS.slice(0, 30);
      await shards[0]!.insert('sessions', sessionRows('r', before));
      await assert.rejects(ClickHouseStore.open(url(db)), (err) => {
        assert.ok(err instanceof InputError, String(err));
        assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${ch.httpPorts[0]}/${db}`));
        assert.match(
          err.message,
          new RegExp(`schema version ${from}, this rlaudit needs ${CLICKHOUSE_SCHEMA_VERSION}`),
        );
        assert.match(err.message, new RegExp(`Upgrading to schema version ${CLICKHOUSE_SCHEMA_VERSION}`));
        assert.match(err.message, new RegExp(`--upgrade ${from} prints them`));
        return true;
      });
      const up = upgradeDdl({ kind: 'cluster', cluster: CLUSTER }, { from });
      for (const c of shards) for (const s of up.shard) await c.command(sql`${raw(s)}`);
      for (const c of shards) for (const s of up.entry) await c.command(sql`${raw(s)}`);
      await shards[0]!.command(sql`${raw(up.record)}`);
      const store = await ClickHouseStore.open(url(db));
      try {
        // parts written before the upgrade compute the columns when read; rows written after store them
        const after = TEXTS.slice(30);
        await shards[0]!.insert('sessions', sessionRows('r', after, before.length + 1));
        assertDerived(await derived(shards[0]!, 'sessions', 'r'), TEXTS);
        // the upgraded tables are the new tables: same columns, same kinds, same expressions
        const Columns = rowDecoder(
          'columns',
          z.object({
            table: z.string(),
            name: z.string(),
            default_kind: z.string(),
            default_expression: z.string(),
          }),
        );
        const describe = (database: string) =>
          shards[1]!.query(
            sql`SELECT table, name, default_kind, default_expression FROM system.columns
                WHERE database = ${database} AND table IN ('sessions', 'sessions_local', 'annotations', 'annotations_local')
                ORDER BY table, name`,
            Columns,
          );
        const fresh = await ch.database2(`fresh${from}`);
        const ddl = schemaDdl({ kind: 'cluster', cluster: CLUSTER }, fresh);
        const [, c1] = await ch.shardClients(fresh);
        for (const s of [...ddl.shard, ...ddl.entry]) await c1!.command(sql`${raw(s)}`);
        assert.deepEqual(await describe(db), await describe(fresh));
      } finally {
        await store.close();
      }
    });
  }
});
