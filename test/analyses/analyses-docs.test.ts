import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderAnalysesReference, updateAnalysesDoc } from '../../src/analyses/analyses-docs.ts';
import { ANALYSIS_NAMES } from '../../src/analyses/registry.ts';

describe('docs/analyses.md', () => {
  it('is current with the analysis registry (regenerate with npm run docs)', () => {
    const onDisk = readFileSync(new URL('../../docs/analyses.md', import.meta.url), 'utf8');
    assert.equal(onDisk, updateAnalysesDoc(onDisk));
  });

  it('lists every registered analysis with a parameter or threshold table', () => {
    const text = renderAnalysesReference();
    for (const name of ANALYSIS_NAMES) assert.match(text, new RegExp(`### ${name}\\n`));
    assert.match(text, /\| `low_threshold` \| `--low-threshold` \| number \|/);
    assert.match(text, /\| `phrases` \| `--phrase` \| list of strings \|/);
    assert.match(text, /\| `counterfactual` \| `--no-counterfactual` \| boolean \| `true` \|/);
  });
});
