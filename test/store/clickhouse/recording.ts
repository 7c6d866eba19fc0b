import type { ClickHouseClient } from '../../../src/store/clickhouse/clickhouse-client.ts';
import { clickHouseDialect } from '../../../src/store/clickhouse/clickhouse-dialect.ts';
import { compile } from '../../../src/store/sql/dialect.ts';

/** The client with every statement it runs recorded (as sent). */
export function recording(client: ClickHouseClient): { client: ClickHouseClient; statements: string[] } {
  const statements: string[] = [];
  const proxy = new Proxy(client, {
    get(target, prop) {
      if (prop === 'query') {
        return (fragment: Parameters<ClickHouseClient['query']>[0], decoder: never) => {
          statements.push(compile(fragment, clickHouseDialect).sql);
          return target.query(fragment, decoder);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { client: proxy, statements };
}

/** Does a statement read `sessions FINAL`? */
export const readsFinal = (statement: string) => /\bsessions\s+FINAL\b/.test(statement);
