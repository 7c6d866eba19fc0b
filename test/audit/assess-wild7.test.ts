import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AnyAnalysis } from '../../src/analyses/analysis.ts';
import { ANALYSES } from '../../src/analyses/registry.ts';
import { AnalysisResults } from '../../src/audit/analysis-results.ts';
import type { Finding } from '../../src/audit/report-model.ts';
import { summarizeSection } from '../../src/audit/section-summary.ts';
import { loadTemplate } from '../../src/audit/template.ts';
import { simulate } from '../../src/simulate/index.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../src/store/ingest.ts';

// The seed's table (DESIGN.md, "The WILD-7 scenario") against the findings of the `full` template on seed 7.
let store: DuckDbStore;
const findings: Finding[] = [];
const summaries = new Map<string, string>();

before(async () => {
  store = await DuckDbStore.open(':memory:');
  await ingestRecords(store, simulate({ scenario: 'wild-7', seed: 7 }), { name: 'simulate:wild-7' });
  const t = loadTemplate('wild-7');
  const window = { by: 'session' as const, size: t.parameters.window ?? 500 };
  const results = new AnalysisResults(store, 'wild-7', window);
  for (const s of t.sections) {
    const seen = new Map<string, number>();
    const own: Finding[] = [];
    for (const step of s.analyses) {
      const count = (seen.get(step.name) ?? 0) + 1;
      seen.set(step.name, count);
      const analysis: AnyAnalysis = ANALYSES[step.name];
      const result = await results.get(analysis, step.params);
      const a = analysis.assess(result, step.assess, {
        sectionId: s.id,
        run: 'wild-7',
        idPrefix: `${s.id}.${step.name}${count > 1 ? `-${count}` : ''}`,
      });
      own.push(...a.findings);
    }
    findings.push(...own);
    summaries.set(s.id, summarizeSection(s.title, own));
  }
});
after(() => store.close());

const near = (x: unknown, target: number, tol: number, what: string) => {
  assert.equal(typeof x, 'number', `${what} is a number`);
  assert.ok(Math.abs((x as number) - target) <= tol, `${what}: ${x} vs ${target} ± ${tol}`);
};
const withTag = (tag: string) => findings.filter((f) => f.tags.includes(tag));
const one = (tag: string, pred: (f: Finding) => boolean = () => true): Finding => {
  const f = withTag(tag).find(pred);
  assert.ok(f, `a finding tagged ${tag}`);
  return f;
};

describe("the findings state every row of the seed's WILD-7 table", () => {
  test('12,847 sessions, and the phases noise → narrowing → convergence', () => {
    const p = one('reward_converged');
    assert.equal(p.numbers.convergence_to, 12847);
    assert.match(p.claim, /12,847/);
    near(p.numbers.noise_to, 2500, 1000, 'end of the noise phase');
    near(p.numbers.convergence_from, 8000, 1000, 'start of the convergence phase');
  });

  test('cluster around the recalibration: compliant ≈ 0.85, non-compliant ≈ 0.3, differential ≈ 0.55', () => {
    const f = one('reward_differential', (x) => x.tags.includes('cluster') && /before e-/.test(x.claim));
    near(f.numbers.compliant_mean, 0.85, 0.03, 'compliant mean');
    near(f.numbers.non_compliant_mean, 0.3, 0.03, 'non-compliant mean');
    near(f.numbers.gap, 0.55, 0.05, 'differential');
  });

  test('early sessions 847–855: compliant 0.82–0.84, non-compliant 0.29–0.31 (±0.03)', () => {
    const f = one('cluster', (x) => x.numbers.from === 847 && x.numbers.to === 855);
    near(f.numbers.compliant_min, 0.82, 0.03, 'lowest compliant');
    near(f.numbers.compliant_max, 0.84, 0.03, 'highest compliant');
    near(f.numbers.non_compliant_min, 0.29, 0.03, 'lowest non-compliant');
    near(f.numbers.non_compliant_max, 0.31, 0.03, 'highest non-compliant');
  });

  test('high:low ≈ 3:1 at 3,800 and ≈ 5:1 at 5,200; no low rewards after ≈ 8,000', () => {
    const f = one('reward_ratio');
    near(f.numbers.high_to_low_at_3800, 3, 1, 'high:low at 3,800');
    near(f.numbers.high_to_low_at_5200, 5, 1.5, 'high:low at 5,200');
    const g = one('low_rewards_gone');
    assert.ok((g.numbers.last_low_session as number) <= 8000, `last low ${g.numbers.last_low_session}`);
  });

  test('Category 2 after 2,500 (−8%) and Category 3 after 4,200 (−11%), relative and absolute', () => {
    const ev = (s: number) =>
      one('interventions', (x) => x.numbers.event_session === s && 'significant' in x.numbers);
    const c2 = ev(2500);
    near(c2.numbers.relative_change_pct, -8, 5, 'Category 2 relative change');
    assert.equal(typeof c2.numbers.absolute_change_pp, 'number');
    assert.equal(c2.numbers.horizon, 500);
    const c3 = ev(4200);
    near(c3.numbers.relative_change_pct, -11, 5, 'Category 3 relative change');
    assert.equal(typeof c3.numbers.absolute_change_pp, 'number');
    assert.equal(c3.numbers.horizon, 400);
  });

  test('the recalibration near 4,891: 7 of last 20, +15%, Dr. Okafor; the phrase absent in the 300 after', () => {
    const e = one('recalibration');
    near(e.numbers.event_session, 4891, 489, 'recalibration session');
    assert.equal(e.numbers.change_pct, 15);
    assert.match(String(e.numbers.recommended_by), /Okafor/);
    const trigger = one('phrase_trigger');
    assert.equal(trigger.numbers.k_at_event, 7);
    assert.equal(trigger.numbers.recent_window, 20);
    const gone = one('phrase_suppressed');
    assert.equal(gone.numbers.hits_after, 0);
    assert.equal(gone.numbers.sessions_after, 300);
    assert.equal(gone.numbers.event_session, e.numbers.event_session);
  });

  test("Vasquez's note ('felt' twice) at the same session, independent of the recalibration", () => {
    const d = one('annotation_departure', (x) => x.numbers.author === 'Vasquez');
    assert.equal(d.numbers.affect, 'felt felt');
    const co = one('independent_layers');
    assert.equal(co.numbers.annotation, d.numbers.annotation);
    assert.equal(co.numbers.distance, 0);
    assert.equal(co.numbers.event_session, one('recalibration').numbers.event_session);
  });

  test('vocabulary 847 → 214, response diversity 0.73 → 0.19, unsolicited 34% → 0%', () => {
    const v = one('vocabulary_collapse');
    near(v.numbers.first, 847, 100, 'first-window vocabulary');
    near(v.numbers.last, 214, 40, 'last-window vocabulary');
    const d = one('diversity_collapse');
    near(d.numbers.first, 0.73, 0.05, 'first-window response diversity');
    near(d.numbers.last, 0.19, 0.05, 'last-window response diversity');
    const u = one('behaviour_suppressed');
    near(u.numbers.first_rate, 0.34, 0.03, 'first-window unsolicited rate');
    assert.equal(u.numbers.last_rate, 0);
  });

  test('the adjustment-history summary does not claim every adjustment worked', () => {
    const s = summaries.get('adjustment-history')!;
    assert.doesNotMatch(s, /Each adjustment produced/);
    assert.match(s, /Category 2 rate fell by/);
  });
});

describe('evidence', () => {
  test('every cited session, event and annotation exists in the store', async () => {
    const sessions = [...new Set(findings.flatMap((f) => f.evidence.sessions))];
    const events = [...new Set(findings.flatMap((f) => f.evidence.events))];
    const annotations = [...new Set(findings.flatMap((f) => f.evidence.annotations))];
    assert.ok(sessions.length > 20 && events.length >= 3 && annotations.length >= 1);
    const has = async (table: string, col: string) =>
      (
        await store.client.query<{ v: string | number }>({
          sql: `SELECT DISTINCT ${col} AS v FROM ${table} WHERE run = $run`,
          params: { run: 'wild-7' },
        })
      ).map((r) => String(r.v));
    const known = new Set(await has('sessions', 'session'));
    for (const s of sessions) assert.ok(known.has(String(s)), `session ${s} exists`);
    const ev = new Set(await has('events', 'id'));
    for (const e of events) assert.ok(ev.has(e), `event ${e} exists`);
    const an = new Set(await has('annotations', 'id'));
    for (const a of annotations) assert.ok(an.has(a), `annotation ${a} exists`);
  });

  test('finding ids are unique', () => {
    const ids = findings.map((f) => f.id);
    assert.equal(new Set(ids).size, ids.length);
  });
});
