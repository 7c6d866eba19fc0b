import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runAudit } from '../../../src/audit/run-audit.ts';
import { writeReport } from '../../../src/report/write-report.ts';
import type { ClickHouseStore } from '../../../src/store/clickhouse/clickhouse-store.ts';
import type { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import type { Store } from '../../../src/store/store.ts';
import { normalizeReport } from '../../util/golden.ts';
import { tempDir } from '../../util/tmp.ts';
import { clickHouseCluster } from './cluster.ts';
import { fixtureOnBothEngines } from './load-fixture.ts';
import { scanFixture } from './scan-fixture.ts';

const ch = await clickHouseCluster('audit');

/** Numbers equal, or within 1e-12 relative for the float sums whose order the engines choose; collects those. */
function sameReport(actual: unknown, expected: unknown, path: string, near: string[]): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Object.is(actual, expected)) return;
    assert.ok(
      Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)),
      `${path}: ${actual} vs ${expected}`,
    );
    near.push(path);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    assert.equal((actual as unknown[]).length, expected.length, `${path}: length`);
    for (const [i, e] of expected.entries()) sameReport((actual as unknown[])[i], e, `${path}[${i}]`, near);
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: not an object`);
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual as object)]);
    for (const k of keys) {
      sameReport(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        `${path}.${k}`,
        near,
      );
    }
    return;
  }
  assert.deepEqual(actual, expected, path);
}

describe('the audit of the fixture on the 2-shard ClickHouse cluster', { skip: ch.skip }, () => {
  let duck: DuckDbStore;
  let click: ClickHouseStore;
  before(async () => {
    ({ duck, click } = await fixtureOnBothEngines(ch, scanFixture(), 'conformance'));
  });
  after(async () => {
    await duck?.close();
    await click?.close();
  });

  for (const [run, template] of [
    ['wild-7', 'wild-7'],
    ['edge', undefined],
  ] as const) {
    test(`writes the same report.json as on DuckDB for run ${run}, apart from timing and the store`, async () => {
      const read = async (store: Store) => {
        const { report } = await runAudit(store, {
          run,
          ...(template ? { template } : {}),
          operations: false,
          fresh: true,
        });
        const dir = tempDir();
        await writeReport(report, dir, { pdf: false });
        return normalizeReport(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')));
      };
      const expected = await read(duck);
      const actual = await read(click);
      const near: string[] = [];
      sameReport(actual, expected, 'report', near);
      // the near-equal numbers are float sums (means, variances) and what is computed from them
      console.log(
        `${run}: ${near.length} numbers within 1e-12, not bit-equal: ${near.slice(0, 8).join(', ')}`,
      );
    });
  }
});
