import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CHECK_RULES } from '../../../src/audit/check.ts';
import { createClusterSchema } from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { runCli } from '../../util/cli.ts';
import { tempDir } from '../../util/tmp.ts';
import { clickHouseCluster } from './cluster.ts';
import { comparable, sameReport } from './report-compare.ts';

// `rlaudit audit` through the command line on the DuckDB store and on the 2-shard ClickHouse cluster, of
// the WILD-7 demo run (seed 7, 12,847 training and 1,000 deployment sessions, template wild-7) and of the
// three public GRPO runs (template full, windows by step): report.json must be the same file apart from
// the fields listed in `comparable`. The same records are written into both stores by the same command
// (`simulate`, `ingest`), so the report's inputs are the same too.

const ch = await clickHouseCluster('auditcli');
const CORPUS = fileURLToPath(
  new URL('../../../../shared/corpora/grpo-reward-hacking-demo/results/', import.meta.url),
);

/** Runs rlaudit, failing with its stderr when it does not exit 0; returns the wall time in seconds. */
function ok(args: readonly string[]): number {
  const t0 = performance.now();
  const r = runCli(args);
  assert.equal(r.code, 0, `rlaudit ${args.join(' ')}\n${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

describe('rlaudit audit on the 2-shard ClickHouse cluster and on DuckDB', { skip: ch.skip }, () => {
  const dir = tempDir();
  const db = join(dir, 'duck.duckdb');
  const store = ch.clusterUrl;
  before(async () => {
    await createClusterSchema(await ch.shardClients(), 'rlaudit_2shards', ch.database);
  });

  /** Audits `run` on both stores with the same options; asserts the two report.json are the same. */
  function auditBoth(run: string, options: readonly string[]): void {
    const duckOut = join(dir, `${run}-duckdb`);
    const clickOut = join(dir, `${run}-clickhouse`);
    const tDuck = ok(['--db', db, 'audit', '--run', run, ...options, '--out', duckOut, '--no-pdf']);
    const tClick = ok(['--store', store, 'audit', '--run', run, ...options, '--out', clickOut, '--no-pdf']);
    console.log(`${run}: audit ${tDuck.toFixed(1)} s on DuckDB, ${tClick.toFixed(1)} s on the cluster`);
    const expected = comparable(join(duckOut, 'report.json'));
    const actual = comparable(join(clickOut, 'report.json'));
    const near = sameReport(actual, expected);
    console.log(`${run}: ${near} chart label numbers within 1e-9 relative, not the same digits`);
    const sections = (actual as { sections: { id: string; status: string }[] }).sections;
    assert.ok(sections.length > 5);
    assert.deepEqual(
      sections.filter((s) => s.status === 'failed').map((s) => s.id),
      [],
      'no section failed',
    );
  }

  test('the WILD-7 demo run (seed 7, with 1,000 deployment sessions) gives the same report.json', () => {
    const simulate = [
      'simulate',
      '--scenario',
      'wild-7',
      '--seed',
      '7',
      '--deployment',
      '1000',
      '--run',
      'wild-7',
    ];
    ok(['--db', db, ...simulate]);
    ok(['--store', store, ...simulate]);
    auditBoth('wild-7', ['--template', 'wild-7']);
  });

  for (const run of ['baseline', 'fixed_kl', 'fixed_cap']) {
    const files = [join(CORPUS, run, 'samples.jsonl'), join(CORPUS, run, 'metrics.jsonl')];
    test(`the GRPO ${run} run gives the same report.json, check outcome and analysis`, {
      skip: !existsSync(files[0]!) && 'the GRPO corpus (../shared/corpora) is not next to this checkout',
    }, () => {
      const ingest = ['ingest', ...files, '--run', `grpo-${run}`, '--map', 'prompt=opening'];
      ok(['--db', db, ...ingest]);
      ok(['--store', store, ...ingest]);
      auditBoth(`grpo-${run}`, ['--template', 'full', '--by', 'step']);
      // check and analyze read the audit's cached results and the scans: the same answers on both stores
      const rules = Object.keys(CHECK_RULES).join(',');
      const check = ['check', '--run', `grpo-${run}`, '--fail-on', rules, '--by', 'step', '--json'];
      const analyze = ['analyze', 'diversity', '--run', `grpo-${run}`, '--by', 'step', '--json'];
      for (const args of [check, analyze]) {
        const d = runCli(['--db', db, ...args]);
        const c = runCli(['--store', store, ...args]);
        assert.ok(d.code === 0 || d.code === 1, d.stderr);
        assert.equal(c.code, d.code, c.stderr);
        assert.deepEqual(JSON.parse(c.stdout), JSON.parse(d.stdout), args[0]);
      }
    });
  }
});
