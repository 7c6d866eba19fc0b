import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

const db = join(tempDir(), 'wild7.duckdb');

describe('rlaudit analyze interventions', () => {
  before(() => {
    const r = runCli(['--db', db, 'simulate', '--sessions', '2900', '--json']);
    assert.equal(r.code, 0, r.stderr);
  });

  it('prints one row per event with the change, its interval and the true effect of the replay', () => {
    const r = runCli(['--db', db, 'analyze', 'interventions', '--run', 'wild-7', '--horizon', '2500:400']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /e-1\s+2500\s+category 2\s+400\s+\d+\/400\s+\d+\/400/);
    assert.match(r.stdout, /Newcombe CI is for that change, not the causal effect/);
    const json = JSON.parse(
      runCli(['--db', db, 'analyze', 'interventions', '--run', 'wild-7', '--horizon', '400', '--json'])
        .stdout,
    );
    assert.equal(json.events[0].event.id, 'e-1');
    // a blanket --horizon does not override the protocol's horizon recorded in the event; an entry naming it does
    assert.equal(json.events[0].horizon, 500);
    assert.equal(json.events[0].horizonSource, 'protocol');
    assert.equal(typeof json.events[0].truth.effect, 'number');
    assert.ok(json.definitions.newcombe);
  });

  it('rejects a malformed --horizon with exit code 2', () => {
    const r = runCli(['--db', db, 'analyze', 'interventions', '--run', 'wild-7', '--horizon', '2500:zero']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /horizon/);
  });
});
