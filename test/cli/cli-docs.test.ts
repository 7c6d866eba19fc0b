import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderCliDocs } from '../../src/cli/cli-docs.ts';

describe('docs/cli.md', () => {
  it("is current with the commands' help texts (regenerate with npm run docs)", () => {
    const onDisk = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
    assert.equal(onDisk, renderCliDocs());
  });
});
