import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  ConnectTimeout,
  connectionProblem,
  queryTimeout,
} from '../../../src/store/clickhouse/clickhouse-client.ts';
import { parseClickHouseUrl } from '../../../src/store/clickhouse/store-url.ts';

const target = parseClickHouseUrl('clickhouse://auditor@db.example:8123/rl');

describe('the ClickHouse client time limits', () => {
  const saved = process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT;
  afterEach(() => {
    if (saved === undefined) delete process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT;
    else process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT = saved;
  });

  it('lets a statement run an hour unless RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT says otherwise', () => {
    delete process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT;
    assert.equal(queryTimeout(), 3600);
    process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT = '7200';
    assert.equal(queryTimeout(), 7200);
    process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT = 'soon';
    assert.equal(queryTimeout(), 3600);
  });

  it('names the query timeout, not the connect timeout, when a statement outlives it', () => {
    process.env.RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT = '600';
    const e = connectionProblem(new Error('Timeout error.'), target);
    assert.ok(e);
    assert.match(e.message, /a statement gave no answer within 600 s/);
    assert.match(e.message, /RLAUDIT_CLICKHOUSE_QUERY_TIMEOUT/);
    assert.doesNotMatch(e.message, /CONNECT_TIMEOUT/);
    assert.match(e.message, /db\.example:8123/);
  });

  it('names the connect timeout when the connection check gets no answer', () => {
    const e = connectionProblem(new ConnectTimeout(10), target);
    assert.ok(e);
    assert.match(e.message, /no answer within 10 s.*RLAUDIT_CLICKHOUSE_CONNECT_TIMEOUT/);
  });
});
