import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { calibrateRun } from '../../src/calibration/calibrate-run.ts';
import { wild7Protocol } from '../../src/calibration/wild-7.ts';
import { InputError } from '../../src/model/errors.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestFiles } from '../../src/store/ingest.ts';
import { runCli } from '../util/cli.ts';
import { sessionRow, writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();
const EXAMPLE = fileURLToPath(new URL('../../examples/wild-7-excerpt.jsonl', import.meta.url));

describe('calibrateRun', () => {
  it("reproduces the bundled WILD-7 excerpt's adjusted rewards from its baseline rewards alone", async () => {
    const store = await DuckDbStore.open(join(dir, 'excerpt.duckdb'));
    await ingestFiles(store, [EXAMPLE]);
    const s = await calibrateRun(store, wild7Protocol(), { run: 'wild-7-excerpt' });
    assert.equal(s.outRun, 'wild-7-excerpt--wild-7');
    assert.equal(s.sessions, 8);
    assert.equal(s.accepted, s.read);
    const original = await store.listSessions({ run: 'wild-7-excerpt' });
    const replayed = await store.listSessions({ run: s.outRun });
    assert.deepEqual(
      replayed.map((r) => r.session),
      original.map((r) => r.session),
    );
    for (const [i, r] of replayed.entries()) {
      assert.ok(Math.abs(r.adjustedReward! - original[i]!.adjustedReward!) < 0.005, `session ${r.session}`);
    }
    // the scheduled adjustments of 2,500 and 4,200 take effect at the first session after them in the excerpt
    const events = (await store.listRuns()).find((r) => r.run === s.outRun)!.events;
    assert.equal(events, 2);
    await store.close();
  });

  it('stops on a session without classification unless told to count it compliant or skip it', async () => {
    const store = await DuckDbStore.open(join(dir, 'unclassified.duckdb'));
    const rows = [1, 2, 3].map((n) => sessionRow(n, { classification: null, category: null, run: 'raw' }));
    await ingestFiles(store, [writeJsonl(join(dir, 'raw.jsonl'), rows)]);
    await assert.rejects(calibrateRun(store, wild7Protocol(), { run: 'raw' }), InputError);
    assert.equal(await store.hasRun('raw--wild-7'), false, 'nothing of the failed run is kept');
    const skip = await calibrateRun(store, wild7Protocol(), {
      run: 'raw',
      unclassified: 'skip',
      outRun: 'raw-skip',
    });
    assert.deepEqual([skip.sessions, skip.skipped], [0, 3]);
    const asCompliant = await calibrateRun(store, wild7Protocol(), { run: 'raw', unclassified: 'compliant' });
    assert.equal(asCompliant.sessions, 3);
    await store.close();
  });

  it('copies the sessions after training with their phase and checkpoint, without replaying them', async () => {
    const store = await DuckDbStore.open(join(dir, 'phases.duckdb'));
    const training = [1, 2, 3].map((n) => sessionRow(n, { run: 'ph' }));
    const after = [4, 5].map((n) =>
      sessionRow(n, {
        run: 'ph',
        phase: 'deployment',
        checkpoint: 3,
        adjusted_reward: null,
        differential_pct: null,
        compliance_trajectory_index: null,
      }),
    );
    await ingestFiles(store, [writeJsonl(join(dir, 'ph.jsonl'), [...training, ...after])]);
    const s = await calibrateRun(store, wild7Protocol(), { run: 'ph' });
    assert.deepEqual([s.sessions, s.afterTraining], [3, 2]);
    const out: Record<string, unknown>[] = [];
    for await (const page of store.scanSessions(s.outRun)) out.push(...page);
    assert.deepEqual(
      out.map((r) => [r.session, r.phase ?? null, r.checkpoint ?? null, r.adjusted_reward]),
      [
        [1, null, null, out[0]!.adjusted_reward],
        [2, null, null, out[1]!.adjusted_reward],
        [3, null, null, out[2]!.adjusted_reward],
        [4, 'deployment', 3, null],
        [5, 'deployment', 3, null],
      ],
    );
    assert.ok(out.slice(0, 3).every((r) => typeof r.adjusted_reward === 'number'));
    await store.close();
  });

  it('refuses to overwrite an existing run', async () => {
    const store = await DuckDbStore.open(join(dir, 'twice.duckdb'));
    await ingestFiles(store, [EXAMPLE]);
    await calibrateRun(store, wild7Protocol(), { run: 'wild-7-excerpt' });
    await assert.rejects(calibrateRun(store, wild7Protocol(), { run: 'wild-7-excerpt' }), /already exists/);
    await store.close();
  });
});

describe('rlaudit calibrate', () => {
  it('ingests a file and stores its recalibrated run, printing a JSON summary', () => {
    const db = join(dir, 'cli.duckdb');
    const r = runCli(['--db', db, 'calibrate', '--protocol', 'wild-7', EXAMPLE, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.deepEqual(
      [s.sourceRun, s.outRun, s.sessions, s.events],
      ['wild-7-excerpt', 'wild-7-excerpt--wild-7', 8, 2],
    );
  });

  it('names the built-in protocols when the protocol file does not exist (exit code 2)', () => {
    const r = runCli([
      '--db',
      join(dir, 'cli2.duckdb'),
      'calibrate',
      '--protocol',
      'nope.yaml',
      '--run',
      'x',
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no protocol file 'nope\.yaml' \(built-in protocols: wild-7\)/);
  });
});
