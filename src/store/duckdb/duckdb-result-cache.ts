import { z } from 'zod';
import type { ResultCache } from '../result-cache.ts';
import { rowDecoder } from '../sql/row-decoder.ts';
import { sql } from '../sql/sql.ts';
import { nullableText, numberOrZero, text } from './decode.ts';
import type { DuckDbClient } from './duckdb-client.ts';
import { transaction } from './transaction.ts';

const FingerprintRow = rowDecoder('runFingerprint', z.object({ loads: nullableText, rows: numberOrZero }));
const ValueRow = rowDecoder('analysisCache', z.object({ value: text }));

/** The result cache in the `analysis_cache` table of the DuckDB file. */
export class DuckDbResultCache implements ResultCache {
  constructor(private readonly client: DuckDbClient) {}

  async fingerprint(run: string): Promise<string> {
    const [row] = await this.client.query(
      sql`SELECT string_agg(DISTINCT load_id::VARCHAR, ',' ORDER BY load_id::VARCHAR) AS loads, count(*) AS rows
          FROM (SELECT load_id FROM sessions WHERE run = ${run}
                UNION ALL SELECT load_id FROM annotations WHERE run = ${run}
                UNION ALL SELECT load_id FROM events WHERE run = ${run}
                UNION ALL SELECT load_id FROM runs WHERE run = ${run})`,
      FingerprintRow,
    );
    return `${row?.rows ?? 0}@${row?.loads ?? ''}`;
  }

  async get(run: string, fingerprint: string, key: string): Promise<string | null> {
    const [row] = await this.client.query(
      sql`SELECT value FROM analysis_cache WHERE run = ${run} AND key = ${key} AND fingerprint = ${fingerprint}`,
      ValueRow,
    );
    return row?.value ?? null;
  }

  async put(run: string, fingerprint: string, key: string, value: string): Promise<void> {
    await transaction(this.client, async () => {
      await this.client.exec(sql`DELETE FROM analysis_cache WHERE run = ${run} AND key = ${key}`);
      await this.client.exec(
        sql`INSERT INTO analysis_cache (run, key, fingerprint, value, created_at)
            VALUES (${run}, ${key}, ${fingerprint}, ${value}, now())`,
      );
    });
  }

  async clear(run?: string): Promise<void> {
    await this.client.exec(
      run === undefined
        ? sql`DELETE FROM analysis_cache`
        : sql`DELETE FROM analysis_cache WHERE run = ${run}`,
    );
  }
}
