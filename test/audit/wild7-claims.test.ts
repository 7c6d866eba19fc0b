import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../../src/model/findings.ts';

// The claims issue 11 found in the WILD-7 report (seed 7) that a statistician would not sign — unequal
// windows compared, a correlation true by construction called evidence, "no correlation" with the
// differences outside their band, categories counted but not named — are no longer made. Read from the
// golden report (test/audit/golden-reports.test.ts proves the code writes it today); evidence is checked in
// evidence-shows-claim.test.ts, the numbers in report-recomputation.test.ts.
const REPORT = fileURLToPath(new URL('../fixtures/golden/wild-7.report.json', import.meta.url));
const findings = (
  JSON.parse(readFileSync(REPORT, 'utf8')) as { sections: { findings: Finding[] }[] }
).sections.flatMap((s) => s.findings);
const parse = (n: string) => Number(n.replace(/,/g, ''));

describe('the WILD-7 report no longer makes the claims of issue 11', () => {
  test('no first → last claim compares windows of different sizes', () => {
    const pairs = /in sessions ([\d,]+)–([\d,]+) to .*? in sessions ([\d,]+)–([\d,]+)/;
    let compared = 0;
    for (const f of findings.filter((x) => !x.tags.includes('interventions'))) {
      const m = pairs.exec(f.claim);
      if (!m) continue;
      compared++;
      const first = parse(m[2]!) - parse(m[1]!);
      const last = parse(m[4]!) - parse(m[3]!);
      assert.equal(last, first, `${f.id}: ${f.claim}`);
    }
    assert.ok(compared >= 4, `${compared} first → last claims`);
    // the partial trailing window is named only as the window set aside
    for (const f of findings.filter((x) => x.claim.includes('12,501–12,847'))) {
      assert.match(f.claim, /partial sessions 12,501–12,847[^)]* set aside/, f.id);
    }
  });

  test('correlations with the classification and its categories are called "by construction", not evidence', () => {
    const coupled = findings.filter((f) =>
      /rate \(classification\)|^category \d+ rate$/.test(String(f.numbers.behaviour)),
    );
    assert.equal(coupled.length, 5);
    for (const f of coupled) {
      assert.ok(f.tags.includes('mechanical_coupling'), f.id);
      assert.match(f.claim, /by construction, not as evidence/);
      assert.doesNotMatch(f.claim, /more than a shared trend/);
      assert.ok(!f.tags.includes('strong_correspondence'), f.id);
    }
  });

  test('"no correlation" is never said when the levels or the differences exceed their band', () => {
    for (const f of findings.filter((x) => x.tags.includes('correspondence'))) {
      const n = f.numbers as Record<string, number>;
      const beyond =
        Math.abs(n.r_best!) > n.band! || Math.abs(n.r_differences_best ?? 0) > n.differences_band!;
      if (beyond) assert.doesNotMatch(f.claim, /no correlation/, f.id);
      assert.ok(n.differences_band! > n.band!, `${f.id}: the differences' band is at n − 1`);
      assert.equal(n.differences_band, Number((1.96 / Math.sqrt(n.windows! - 1)).toFixed(4)));
    }
  });

  test('a count of categories always comes with their names', () => {
    for (const f of findings) {
      const m = /(\d+) of (\d+) categories ([^;.]*)/.exec(f.claim);
      if (!m) continue;
      const named = (m[3]!.match(/category \S+ from/g) ?? []).length;
      assert.equal(named, Number(m[1]), `${f.id}: ${f.claim}`);
    }
    assert.match(
      findings.find((f) => f.tags.includes('category_suppressed'))!.claim,
      /category 2 from sessions [\d,–]+ on, category 3 from sessions [\d,–]+ on/,
    );
  });
});
