import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as api from 'rlaudit';

describe("the package's public API", () => {
  it('is importable by its own name from inside the repository (package self-reference)', () => {
    for (const name of [
      'DuckDbStore',
      'ingestFiles',
      'ingestDirectory',
      'validateRow',
      'Calibrator',
      'changePoints',
      'tokenize',
      'runAudit',
      'writeReport',
      'loadTemplate',
      'checkReport',
      'chooseWindows',
      'AnalysisResults',
    ]) {
      assert.equal(typeof (api as Record<string, unknown>)[name], 'function', name);
    }
  });

  it('reproduces the public Newcombe vector through the package entry point', () => {
    const r = api.newcombeInterval(56, 70, 48, 80);
    assert.ok(Math.abs(r.lower - 0.0524) < 5e-5 && Math.abs(r.upper - 0.3339) < 5e-5);
  });
});

describe('the analysis registry through the public API', () => {
  it('lists every analysis with its schema, run and assessor', () => {
    assert.ok(api.ANALYSIS_NAMES.includes('length-drift'));
    for (const name of api.ANALYSIS_NAMES) {
      const a = api.ANALYSES[name];
      assert.equal(a.name, name);
      assert.equal(typeof a.run, 'function');
      assert.equal(typeof a.assess, 'function');
      assert.ok(a.params.safeParse({}).success, `${name}: its defaults are valid parameters`);
    }
  });
});
