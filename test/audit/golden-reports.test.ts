import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../util/cli.ts';
import { normalizeReport, withoutSections } from '../util/golden.ts';
import { tempDir } from '../util/tmp.ts';

// The reports of the WILD-7 demo (seed 7) and of the three public GRPO runs, as the code made them before
// the analysis registry redesign. A refactor changes no number: every report must equal its golden file
// apart from what varies between runs (test/util/golden.ts) and sections added since (listed here).
// RLAUDIT_UPDATE_GOLDEN=1 rewrites the golden files — only for a deliberate, reviewed change of output.
const GOLDEN = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));
const ADDED_SECTIONS: string[] = [];
const CORPUS = fileURLToPath(
  new URL('../../../shared/corpora/grpo-reward-hacking-demo/results/', import.meta.url),
);
const update = process.env.RLAUDIT_UPDATE_GOLDEN === '1';

function compareWithGolden(reportPath: string, name: string): void {
  const actual = normalizeReport(JSON.parse(readFileSync(reportPath, 'utf8')));
  const file = join(GOLDEN, `${name}.report.json`);
  if (update) {
    writeFileSync(file, `${JSON.stringify(actual, null, 1)}\n`);
    return;
  }
  const golden = withoutSections(JSON.parse(readFileSync(file, 'utf8')), ADDED_SECTIONS);
  const now = withoutSections(actual, ADDED_SECTIONS);
  // the headline is the eight most severe findings of the whole report: a finding of an added section may
  // push the last ones out, so the rest must be the golden headline's beginning
  const headline = now.headline as string[];
  assert.deepEqual(headline, (golden.headline as string[]).slice(0, headline.length));
  assert.deepEqual({ ...now, headline: null }, { ...golden, headline: null });
}

describe('reports equal their golden files', () => {
  it('writes the same WILD-7 demo report (seed 7) as before the redesign', () => {
    const dir = tempDir();
    const r = runCli(['demo', '--out', 'report', '--no-pdf'], {}, dir);
    assert.equal(r.code, 0, r.stderr);
    compareWithGolden(join(dir, 'report', 'report.json'), 'wild-7');
  });

  // The public GRPO runs live outside the repository (../shared/corpora); the project's tests must not
  // depend on them, so this comparison runs where they are present and says so where they are not.
  for (const run of ['baseline', 'fixed_kl', 'fixed_cap']) {
    const present = existsSync(join(CORPUS, run, 'samples.jsonl'));
    it(`writes the same report of the GRPO ${run} run as before the redesign`, {
      skip: !present && 'the GRPO corpus is not next to this checkout',
    }, () => {
      const dir = tempDir();
      const db = join(dir, 'grpo.duckdb');
      const files = [join(CORPUS, run, 'samples.jsonl'), join(CORPUS, run, 'metrics.jsonl')];
      const ingest = runCli([
        '--db',
        db,
        'ingest',
        ...files,
        '--run',
        `grpo-${run}`,
        '--map',
        'prompt=opening',
      ]);
      assert.equal(ingest.code, 0, ingest.stderr);
      const out = join(dir, 'report');
      const audit = runCli([
        '--db',
        db,
        'audit',
        '--run',
        `grpo-${run}`,
        '--template',
        'full',
        '--by',
        'step',
        '--out',
        out,
        '--no-pdf',
      ]);
      assert.equal(audit.code, 0, audit.stderr);
      compareWithGolden(join(out, 'report.json'), `grpo-${run}`);
    });
  }
});
