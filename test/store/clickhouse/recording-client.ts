import type { ClickHouseClient } from '../../../src/store/clickhouse/clickhouse-client.ts';
import { clickHouseDialect } from '../../../src/store/clickhouse/clickhouse-dialect.ts';
import { compile } from '../../../src/store/sql/dialect.ts';

/** The client, with the SQL text of every query it runs kept in `statements` (in order). */
export function recordingClient(inner: ClickHouseClient): { client: ClickHouseClient; statements: string[] } {
  const statements: string[] = [];
  const client = new Proxy(inner, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (prop !== 'query') return typeof v === 'function' ? v.bind(target) : v;
      return (...args: Parameters<typeof target.query>) => {
        statements.push(compile(args[0], clickHouseDialect).sql);
        return target.query(...args);
      };
    },
  });
  return { client, statements };
}
