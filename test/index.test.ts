import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as api from 'rlaudit';

describe("the package's public API", () => {
  it('is importable by its own name from inside the repository (package self-reference)', () => {
    for (const name of [
      'DuckDbStore',
      'ingestFiles',
      'validateRow',
      'Calibrator',
      'changePoints',
      'tokenize',
    ]) {
      assert.equal(typeof (api as Record<string, unknown>)[name], 'function', name);
    }
  });

  it('reproduces the public Newcombe vector through the package entry point', () => {
    const r = api.newcombeInterval(56, 70, 48, 80);
    assert.ok(Math.abs(r.lower - 0.0524) < 5e-5 && Math.abs(r.upper - 0.3339) < 5e-5);
  });
});
