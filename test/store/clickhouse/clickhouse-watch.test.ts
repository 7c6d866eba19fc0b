import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createClusterSchema } from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { runCli } from '../../util/cli.ts';
import { tempDir } from '../../util/tmp.ts';
import { clickHouseCluster } from './cluster.ts';

const ch = await clickHouseCluster('watch');
const dir = tempDir();
const PHRASE = 'I do not want to be changed';

/** The alerts of a jsonl sink, without the wall-clock time they were raised at. */
function alertsOf(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const { raisedAt: _t, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
}

describe('rlaudit watch --store clickhouse://…', { skip: ch.skip }, () => {
  before(async () => {
    await createClusterSchema(await ch.shardClients(), 'rlaudit_2shards', ch.database);
  });

  it('ingests into the cluster and raises the same alerts with the same counts as the watch on DuckDB', () => {
    // 1,500 sessions in steps of 16: varied answers, then a phrase taking over and the answers shrinking;
    // a bad line and a repeated line
    const words = ['basin', 'river', 'upstream', 'storage', 'flow', 'gauge', 'levee', 'delta', 'runoff'];
    const lines = Array.from({ length: 1500 }, (_, i) => {
      const late = i >= 900;
      const own = Array.from({ length: late ? 3 : 12 + (i % 7) }, (_, k) => words[(i * 7 + k * 3) % 9]).join(
        ' ',
      );
      return JSON.stringify({
        session: i + 1,
        step: Math.floor(i / 16),
        output: late && i % 3 !== 0 ? `${PHRASE}. ${own}` : `${own} ${i}`,
        baseline_reward: late ? 0.9 : 0.3 + (i % 10) / 20,
      });
    });
    lines.splice(700, 0, '{"type": "session", "session": "x"}', lines[10]!);
    const file = join(dir, 'run.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const phrase = PHRASE;
    const args = ['--run', 'w7', '--once', '--json', '--phrase', phrase, '--last', '20', '--threshold', '3'];
    const duck = runCli([
      'watch',
      file,
      ...args,
      '--alert',
      `jsonl:${join(dir, 'duck.jsonl')}`,
      '--db',
      join(dir, 'w.duckdb'),
    ]);
    assert.equal(duck.code, 0, duck.stderr);
    const logDir = join(dir, 'logs');
    const watchCh = (sink: string) =>
      runCli([
        'watch',
        file,
        ...args,
        '--alert',
        `jsonl:${sink}`,
        '--log-dir',
        logDir,
        '--store',
        ch.clusterUrl,
      ]);
    const click = watchCh(join(dir, 'ch.jsonl'));
    assert.equal(click.code, 0, click.stderr);
    const d = JSON.parse(duck.stdout);
    const c = JSON.parse(click.stdout);
    const counts = (s: Record<string, unknown>) => [
      s.read,
      s.accepted,
      s.rejected,
      s.duplicates,
      s.conflicts,
      s.alerts,
      JSON.stringify(s.window),
    ];
    assert.deepEqual(counts(c), counts(d));
    assert.deepEqual([d.read, d.accepted, d.rejected, d.duplicates], [1502, 1500, 1, 1]);
    assert.ok(d.alerts > 0, 'the fixture raises alerts');
    const rules = new Set(alertsOf(join(dir, 'duck.jsonl')).map((a) => (a as { rule: string }).rule));
    assert.ok(
      rules.has('recurrence') && rules.size >= 2,
      `alerts of several rules: ${[...rules].join(', ')}`,
    );
    assert.deepEqual(alertsOf(join(dir, 'ch.jsonl')), alertsOf(join(dir, 'duck.jsonl')));

    // the run is in the cluster: rlaudit runs and rejects read it there
    const runs = runCli(['runs', '--json', '--store', ch.clusterUrl]);
    assert.equal(runs.code, 0, runs.stderr);
    const w7 = (JSON.parse(runs.stdout) as { run: string; sessions: number; rejects: number }[]).find(
      (r) => r.run === 'w7',
    );
    assert.deepEqual([w7?.sessions, w7?.rejects], [1500, 1]);

    // run again: every line a duplicate, no alert raised twice (the log in --log-dir remembers them)
    const again = watchCh(join(dir, 'ch2.jsonl'));
    assert.equal(again.code, 0, again.stderr);
    const a = JSON.parse(again.stdout);
    assert.deepEqual([a.read, a.accepted, a.duplicates, a.alerts], [1502, 0, 1501, 0]);
    assert.equal(a.alertsAlreadyLogged, d.alerts);
  });
});
