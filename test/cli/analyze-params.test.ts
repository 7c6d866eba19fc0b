import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ANALYSES, ANALYSIS_NAMES } from '../../src/analyses/registry.ts';
import { loadTemplate } from '../../src/audit/template.ts';
import { cliParams } from '../../src/cli/analyze/analysis-command.ts';
import { ConfigError } from '../../src/model/errors.ts';
import { runCli } from '../util/cli.ts';
import { sessionRow, writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir();
const db = join(dir, 'params.duckdb');

describe('analysis parameters, validated once by the analysis schema', () => {
  before(() => {
    const file = writeJsonl(
      join(dir, 'run.jsonl'),
      Array.from({ length: 120 }, (_, i) => sessionRow(i + 1, { run: 'p' })),
    );
    const r = runCli(['--db', db, 'ingest', file]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('exits 2 naming the flag when a number option is not a number', () => {
    for (const args of [
      ['analyze', 'correspondence', '--run', 'p', '--max-lag', 'abc'],
      ['analyze', 'compare', '--runs', 'p,p', '--window', 'abc'],
      ['analyze', 'convergence', '--run', 'p', '--at', '12,x'],
    ]) {
      const r = runCli(['--db', db, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(args.at(-2)!), r.stderr);
    }
  });

  it('exits 2 naming the flag when the schema refuses a value', () => {
    const r = runCli(['--db', db, 'analyze', 'diversity', '--run', 'p', '--self-bleu-sample', '500']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--self-bleu-sample: .*100/);
    const h = runCli(['--db', db, 'analyze', 'interventions', '--run', 'p', '--horizon', 'x:y']);
    assert.equal(h.code, 2);
    assert.match(h.stderr, /--horizon: expected H/);
  });

  it('runs an analysis with the defaults its schema declares', () => {
    const r = runCli(['--db', db, 'analyze', 'correspondence', '--run', 'p', '--window', '10', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).maxLag, 5);
  });

  it('gives every parameter of every analysis a flag, and no two the same flag', () => {
    for (const name of ANALYSIS_NAMES) {
      const flags = cliParams(ANALYSES[name]).map((p) => p.flag);
      assert.equal(new Set(flags).size, flags.length, name);
      for (const f of flags) assert.doesNotMatch(f, /^--(run|window|by|json)$/, `${name} ${f}`);
    }
  });

  it('refuses a template whose params or thresholds its analysis does not accept, naming the path', () => {
    const bad = (body: string) => {
      const file = join(dir, `t-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(file, `name: t\nsections:\n  - id: s\n    title: S\n    analyses:\n${body}`);
      return () => loadTemplate(file);
    };
    assert.throws(bad('      - name: correspondence\n        params: { max_lag: abc }\n'), (e: Error) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /sections\.s\.correspondence\.params\.max_lag: /);
      return true;
    });
    assert.throws(
      bad('      - name: cluster\n        params: { form: 3 }\n'),
      /params\.form: unknown name \(known: from, to/,
    );
    assert.throws(
      bad('      - name: diversity\n        assess: { colapse_relative: 0.5 }\n'),
      /assess\.colapse_relative: unknown name/,
    );
  });

  it('fills a template step with the defaults of its analysis', () => {
    const t = loadTemplate('quantitative-review');
    const step = t.sections.flatMap((s) => s.analyses).find((a) => a.name === 'correspondence')!;
    assert.deepEqual(step.params, { max_lag: 5 });
    assert.deepEqual(step.assess, { strong_r: 0.7, by_construction_r2: 0.9 });
  });
});
