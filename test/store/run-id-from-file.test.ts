import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runIdProblem } from '../../src/model/schema.ts';
import { runIdFromFile } from '../../src/store/ingest.ts';

describe('the run a file’s rows default to', () => {
  it('is the file name without extensions, made a valid run id when the name is not one', () => {
    const cases: [string, string][] = [
      ['runs/a.jsonl.gz', 'a'],
      ['x/my run.csv', 'my-run'],
      ['x/tab\there.jsonl', 'tab-here'],
      ['x/..jsonl', 'run'],
      ['x/.jsonl', 'run'],
      ['x/...jsonl', 'run'],
      [`x/${'n'.repeat(300)}.jsonl`, 'n'.repeat(200)],
    ];
    for (const [path, run] of cases) {
      assert.equal(runIdFromFile(path), run, path);
      assert.equal(runIdProblem(runIdFromFile(path)), null, `${path} gives a valid run id`);
    }
  });
});
