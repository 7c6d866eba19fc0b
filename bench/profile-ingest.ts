// Parts of the fast scan measured alone, each in a fresh database in this process, wall and CPU seconds (user +
// system of the whole process: DuckDB's threads included). argv: <jsonl file> <dir for the databases> [part...]
// parts: ingest floor prescan insert-typed insert-map (+ -1gb or -<N>mib: DuckDB's memory limit, else 640 MiB as the
// fast scan sets it; +prescan: beside it). An insert part also prints DuckDB's blocked thread time.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { prescanJsonl } from '../src/sources/jsonl-prescan.ts';
import { DuckDbStore } from '../src/store/duckdb/duckdb-store.ts';
import { fastInsertStatement } from '../src/store/duckdb/engine-jsonl-fast.ts';
import { ingestFiles } from '../src/store/ingest.ts';
import { sql } from '../src/store/sql/sql.ts';

const [file, dir, ...wanted] = process.argv.slice(2) as [string, string, ...string[]];
const parts = wanted.length > 0 ? wanted : ['prescan', 'floor', 'insert-typed', 'insert-map'];

async function timed(name: string, fn: () => Promise<unknown>): Promise<void> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  console.log(
    `${name}: ${((performance.now() - t0) / 1000).toFixed(2)} s, user ${(c.user / 1e6).toFixed(2)} + sys ${(c.system / 1e6).toFixed(2)} CPU-s`,
  );
}

async function withStore(name: string, fn: (s: DuckDbStore) => Promise<unknown>): Promise<void> {
  const db = join(dir, `profile-${name}.duckdb`);
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const store = await DuckDbStore.open(db);
  try {
    await timed(name, () => fn(store));
  } finally {
    await store.close();
    rmSync(db, { force: true });
    rmSync(`${db}.wal`, { force: true });
  }
}

const q = {
  path: file,
  maxLineBytes: 16 * 2 ** 20,
  runs: { forcedRun: undefined, fileRun: 'bench' },
  loadId: 1,
};
for (const part of parts) {
  if (part === 'prescan') await timed(part, () => prescanJsonl(file, 16 * 2 ** 20));
  else if (part === 'floor')
    await withStore(part, (s) =>
      s.client.exec(
        sql`CREATE TABLE floor AS SELECT * FROM read_json(${file}, format = 'newline_delimited')`,
      ),
    );
  else if (part === 'ingest') await withStore(part, (s) => ingestFiles(s, [file], { run: 'bench' }));
  else if (part.startsWith('insert-')) {
    const reader = part.includes('map') ? 'map' : 'typed';
    const mib = /-(\d+)mib/.exec(part)?.[1];
    const limit = part.includes('-1gb') ? '1GB' : mib !== undefined ? `${mib}MiB` : '640MiB';
    const profile = join(dir, `profile-${process.pid}.json`);
    await withStore(part, async (s) => {
      await s.client.exec(sql`SET memory_limit = ${limit}`);
      // DuckDB's own count of the time its threads waited (the ordered insert blocks readers-ahead at its limit)
      await s.client.exec(sql`SET custom_profiling_settings = '{"BLOCKED_THREAD_TIME": "true"}'`);
      await s.client.exec(sql`SET enable_profiling = 'json'`);
      await s.client.exec(sql`SET profiling_output = ${profile}`);
      await s.client.exec(sql`BEGIN TRANSACTION`);
      const prescan = part.includes('+prescan') ? prescanJsonl(file, 16 * 2 ** 20) : null;
      await s.client.exec(fastInsertStatement(q, reader));
      await s.client.exec(sql`SET enable_profiling = 'no_output'`);
      await prescan;
      await s.client.exec(sql`COMMIT`);
    });
    const blocked = (JSON.parse(readFileSync(profile, 'utf8')) as { blocked_thread_time?: number })
      .blocked_thread_time;
    console.log(`  ${part}: memory limit ${limit}, DuckDB's blocked thread time ${blocked?.toFixed(2)} s`);
    rmSync(profile, { force: true });
  } else throw new Error(`unknown part ${part}`);
}
