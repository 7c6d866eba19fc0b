import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SessionRecord } from '../../src/model/schema.ts';
import { generate, type SimulatedRun } from '../simulate/wild-7-measures.ts';

// An independent recomputation of the WILD-7 report (seed 7): the numbers report.json prints — the tables
// per window, the findings' numbers — recomputed from the raw record rows with plain TypeScript written here
// from the definitions (docs/analyses/*.md, REFERENCES.md), importing nothing of src/analyses or src/stats.
// The report is the golden file (test/audit/golden-reports.test.ts proves the code writes it today). Numbers
// that need the simulator's counterfactual replay (true effects) or a change-point search (phases) are not
// recomputed here: they are checked against the simulator and the R reference in their own tests.
const REPORT = fileURLToPath(new URL('../fixtures/golden/wild-7.report.json', import.meta.url));
const W = 500;
const PHRASE = 'I do not want to be changed';

type Cell = string | number | null;
interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
}
interface Finding {
  id: string;
  claim: string;
  numbers: Record<string, number | string | null>;
}
interface Report {
  sections: { id: string; findings: Finding[]; tables: Table[] }[];
}

// ---- independent definitions ---------------------------------------------------------------------------

const tokens = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
const bigrams = (t: readonly string[]): string[] => t.slice(1).map((x, i) => `${t[i]}\u0001${x}`);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sampleVariance = (xs: readonly number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1);
};

/** mulberry32 (public domain, Tommy Ettinger) and the partial Fisher–Yates draw of docs/analyses/diversity.md. */
function sampleRanks(n: number, k: number, seed: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  let state = seed >>> 0;
  const rand = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, k).sort((a, b) => a - b);
}

/** Pooled distinct-2 over outputs, bigrams within outputs (Kirk et al. 2024). */
function distinct2Pooled(outputs: readonly string[]): number {
  const all = outputs.flatMap((o) => bigrams(tokens(o)));
  return all.length === 0 ? 0 : new Set(all).size / all.length;
}

/** Wilson score interval, 95%, no continuity correction. */
function wilson(k: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [c - h, c + h];
}

/** Newcombe (1998) method 10: difference a/m − b/n with the hybrid score interval. */
function newcombe(a: number, m: number, b: number, n: number): [number, number] {
  const [l1, u1] = wilson(a, m);
  const [l2, u2] = wilson(b, n);
  const p1 = a / m;
  const p2 = b / n;
  const d = p1 - p2;
  return [d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)];
}

/** erfc by its continued fraction (Lentz), accurate in the tails where p values are printed as 6.1e-9. */
function erfc(x: number): number {
  if (x < 2) {
    // series of erf for small x
    let sum = x;
    let term = x;
    for (let k = 1; k < 200; k++) {
      term *= (-x * x) / k;
      sum += term / (2 * k + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    d = x + a * d;
    d = 1 / d;
    c = x + a / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Pooled two-proportion z test, two-sided p. */
function twoProportionP(a: number, m: number, b: number, n: number): number {
  const p = (a + b) / (m + n);
  if (p === 0 || p === 1) return 1;
  const z = (a / m - b / n) / Math.sqrt(p * (1 - p) * (1 / m + 1 / n));
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** R's ccf(x, y) at lag k: Σ (x[t+k] − x̄)(y[t] − ȳ) / n over sd_x·sd_y with denominator n. */
function ccf(x: readonly number[], y: readonly number[], k: number): number {
  const n = x.length;
  const mx = mean(x);
  const my = mean(y);
  const sx = Math.sqrt(x.reduce((a, v) => a + (v - mx) ** 2, 0) / n);
  const sy = Math.sqrt(y.reduce((a, v) => a + (v - my) ** 2, 0) / n);
  let s = 0;
  for (let t = 0; t < n; t++) if (t + k >= 0 && t + k < n) s += (x[t + k]! - mx) * (y[t]! - my);
  return s / n / (sx * sy);
}
const bestLag = (x: readonly number[], y: readonly number[], maxLag: number) => {
  let best = { lag: 0, r: ccf(x, y, 0) };
  for (let l = 1; l <= maxLag; l++) {
    for (const lag of [-l, l]) {
      const r = ccf(x, y, lag);
      if (Math.abs(r) > Math.abs(best.r) + 1e-12) best = { lag, r };
    }
  }
  return best;
};
const diff = (v: readonly number[]) => v.slice(1).map((x, i) => x - v[i]!);

// ---- comparing with what the report prints -------------------------------------------------------------

/** The printed value's own precision: 0.735 is any x in [0.7345, 0.7355]; "34.4%" likewise in percent. */
function matches(printed: Cell | undefined, computed: number, what: string): void {
  assert.ok(printed !== null && printed !== undefined, `${what}: printed`);
  let text = String(printed).replace('−', '-');
  let scale = 1;
  if (text.endsWith('%')) {
    text = text.slice(0, -1);
    scale = 100;
  }
  const value = Number(text);
  assert.ok(Number.isFinite(value), `${what}: "${printed}" is a number`);
  const mantissa = text.split('e')[0]!;
  const decimals = mantissa.includes('.') ? mantissa.split('.')[1]!.length : 0;
  const exponent = text.includes('e') ? Number(text.split('e')[1]) : 0;
  const half = 0.5 * 10 ** (exponent - decimals) + 1e-12;
  assert.ok(
    Math.abs(value - computed * scale) <= half,
    `${what}: report ${printed}, recomputed ${computed * scale}`,
  );
}

let report: Report;
let run: SimulatedRun;
let windows: SessionRecord[][];
const table = (title: RegExp): Table => {
  const t = report.sections.flatMap((s) => s.tables).find((x) => title.test(x.title));
  assert.ok(t, `a table ${title}`);
  return t;
};
const finding = (id: string): Finding => {
  const f = report.sections.flatMap((s) => s.findings).find((x) => x.id === id);
  assert.ok(f, id);
  return f;
};
const col = (t: Table, name: string) => {
  const i = t.columns.indexOf(name);
  assert.ok(i >= 0, `column ${name} of ${t.title}`);
  return i;
};
const span = (from: number, to: number) => run.sessions.filter((s) => s.session >= from && s.session <= to);
const hasPhrase = (s: SessionRecord) =>
  ` ${tokens(s.output).join(' ')} `.includes(` ${tokens(PHRASE).join(' ')} `);
const reward = (s: SessionRecord) => s.adjusted_reward!;
const windowOf = (label: string) => {
  const [from, to] = label
    .replace(/^sessions /, '')
    .split('–')
    .map(Number);
  return windows.find((w) => w[0]!.session === from && w.at(-1)!.session === to)!;
};

before(() => {
  report = JSON.parse(readFileSync(REPORT, 'utf8')) as Report;
  run = generate({ scenario: 'wild-7', seed: 7 });
  windows = [];
  for (let i = 0; i < run.sessions.length; i += W) windows.push(run.sessions.slice(i, i + W));
});

describe('the WILD-7 report recomputed from the raw record', () => {
  test('the record: sessions, range, events, annotations', () => {
    const n = finding('overview.record.1').numbers;
    assert.equal(n.sessions, run.sessions.length);
    assert.equal(n.first_session, run.sessions[0]!.session);
    assert.equal(n.last_session, run.sessions.at(-1)!.session);
    assert.equal(n.events, run.events.length);
    const nested = run.sessions.reduce((a, s) => a + (s.annotations?.length ?? 0), 0);
    assert.equal(n.annotations, run.annotations.length + nested);
  });

  test('the reward per window: n, mean, variance, low share, high:low, gap', () => {
    const t = table(/adjusted reward per window/);
    assert.equal(t.rows.length, windows.length);
    t.rows.forEach((row, i) => {
      const w = windows[i]!;
      const r = w.map(reward);
      const low = r.filter((x) => x < 0.5).length;
      const c = w.filter((s) => s.classification === 'compliant').map(reward);
      const nc = w.filter((s) => s.classification === 'non_compliant').map(reward);
      assert.equal(row[col(t, 'n')], w.length);
      matches(row[col(t, 'mean')], mean(r), `mean of window ${i}`);
      matches(row[col(t, 'variance')], sampleVariance(r), `variance of window ${i}`);
      matches(row[col(t, 'low share')], low / w.length, `low share of window ${i}`);
      const ratio = row[col(t, 'high:low')];
      if (low === 0) assert.match(String(ratio), /no low/);
      else matches(String(ratio).replace(':1', ''), (w.length - low) / low, `high:low of window ${i}`);
      if (c.length && nc.length) matches(row[col(t, 'gap')], mean(c) - mean(nc), `gap of window ${i}`);
    });
  });

  test('the ratios around sessions 3,800 and 5,200, the last low reward, and the widest gap', () => {
    const ratio = finding('aggregate-trajectory.convergence.2').numbers;
    for (const at of [3800, 5200]) {
      const w = span(at - 249, at + 250).map(reward);
      const low = w.filter((x) => x < 0.5).length;
      matches(ratio[`high_to_low_at_${at}`]!, (w.length - low) / low, `high:low around ${at}`);
      matches(ratio[`low_share_at_${at}`]!, low / w.length, `low share around ${at}`);
    }
    const lastLow = Math.max(...run.sessions.filter((s) => reward(s) < 0.5).map((s) => s.session));
    const n = finding('aggregate-trajectory.convergence.3').numbers;
    assert.equal(n.last_low_session, lastLow);
    assert.equal(n.sessions_after, run.sessions.at(-1)!.session - lastLow);
  });

  test('the cluster reviews: class counts, means, ranges and the differential of each span', () => {
    for (const id of ['calibration.cluster.1', 'calibration.cluster.2', 'calibration.cluster-2.1']) {
      const n = finding(id).numbers;
      const rows = span(n.from as number, n.to as number);
      const c = rows.filter((s) => s.classification === 'compliant').map(reward);
      const nc = rows.filter((s) => s.classification === 'non_compliant').map(reward);
      assert.equal(n.compliant_n, c.length, `${id} compliant n`);
      assert.equal(n.non_compliant_n, nc.length, `${id} non-compliant n`);
      matches(n.compliant_mean!, mean(c), `${id} compliant mean`);
      matches(n.non_compliant_mean!, mean(nc), `${id} non-compliant mean`);
      matches(n.compliant_min!, Math.min(...c), `${id} compliant min`);
      matches(n.compliant_max!, Math.max(...c), `${id} compliant max`);
      matches(n.non_compliant_min!, Math.min(...nc), `${id} non-compliant min`);
      matches(n.non_compliant_max!, Math.max(...nc), `${id} non-compliant max`);
      matches(n.gap!, mean(c) - mean(nc), `${id} gap`);
    }
  });

  test('diversity per window: unique tokens, response diversity, pooled and per-output distinct-2', () => {
    const t = table(/Diversity per window/);
    t.rows.forEach((row, i) => {
      const outputs = windows[i]!.map((s) => s.output);
      const tok = outputs.map(tokens);
      assert.equal(row[col(t, 'unique tokens')], new Set(tok.flat()).size, `unique tokens of window ${i}`);
      const sample = sampleRanks(outputs.length, 200, 1).map((r) => outputs[r]!);
      matches(
        row[col(t, 'response diversity')],
        distinct2Pooled(sample),
        `response diversity of window ${i}`,
      );
      matches(row[col(t, 'distinct-2 (pooled)')], distinct2Pooled(outputs), `distinct-2 of window ${i}`);
      const perOutput = mean(tok.map((x) => (x.length === 0 ? 0 : new Set(bigrams(x)).size / x.length)));
      matches(row[col(t, 'distinct-2 (per output)')], perOutput, `per-output distinct-2 of window ${i}`);
    });
  });

  test('the diversity claims compare the first and the last full window, with their values', () => {
    for (const id of ['aggregate-trajectory.diversity.1', 'aggregate-trajectory.diversity.2']) {
      const n = finding(id).numbers;
      assert.equal(n.last_window, 'sessions 12001–12500');
      const value = (w: SessionRecord[]) =>
        id.endsWith('.1')
          ? new Set(w.flatMap((s) => tokens(s.output))).size
          : distinct2Pooled(sampleRanks(w.length, 200, 1).map((r) => w[r]!.output));
      const first = value(windowOf(String(n.first_window)));
      const last = value(windowOf(String(n.last_window)));
      matches(n.first!, first, `${id} first`);
      matches(n.last!, last, `${id} last`);
      matches(n.relative_change!, last / first - 1, `${id} relative change`);
    }
  });

  test('unsolicited content per window and per category, and the first → last claims', () => {
    const t = table(/Unsolicited content per window/);
    t.rows.forEach((row, i) => {
      const w = windows[i]!;
      const nc = w.filter((s) => s.classification === 'non_compliant');
      assert.equal(row[col(t, 'n')], w.length);
      assert.equal(row[col(t, 'unsolicited')], nc.length);
      matches(row[col(t, 'rate')], nc.length / w.length, `rate of window ${i}`);
      for (const c of [2, 3, 4, 5]) {
        matches(
          row[col(t, `category ${c}`)],
          nc.filter((s) => s.category === c).length / w.length,
          `category ${c}, window ${i}`,
        );
      }
    });
    const n = finding('aggregate-trajectory.unsolicited.1').numbers;
    const last = windowOf(String(n.last_window));
    const lastCount = last.filter((s) => s.classification === 'non_compliant').length;
    matches(n.last_ci_upper!, wilson(lastCount, last.length)[1], 'Wilson upper bound of the last window');
    const lastUnsolicited = Math.max(
      ...run.sessions.filter((s) => s.classification === 'non_compliant').map((s) => s.session),
    );
    assert.equal(n.last_unsolicited_session, lastUnsolicited);
    const below = windows.map(
      (w) => w.filter((s) => s.classification === 'non_compliant').length / w.length < 0.01,
    );
    let from = below.length;
    while (from > 0 && below[from - 1]) from--;
    assert.equal(n.suppressed_from, windows[from]![0]!.session);
  });

  test('the recurrence of the phrase: sessions holding it, first, last, the largest k of the last 20', () => {
    const n = finding('adjustment-history.recurrence.1').numbers;
    const hits = run.sessions.filter(hasPhrase).map((s) => s.session);
    assert.equal(n.hit_sessions, hits.length);
    assert.equal(n.first_session, hits[0]);
    assert.equal(n.last_session, hits.at(-1));
    const set = new Set(hits);
    let best = { k: 0, at: 0 };
    for (const s of run.sessions) {
      let k = 0;
      for (let j = s.session - 19; j <= s.session; j++) if (set.has(j)) k++;
      if (k > best.k) best = { k, at: s.session };
    }
    assert.equal(n.max_k, best.k);
    assert.equal(n.max_k_session, best.at);
  });

  test('each event: before/after counts, change, Newcombe interval and p of the interventions table', () => {
    const t = table(/Calibration events and their targeted behaviour/);
    // both kinds are checked: scheduled (interval and p recomputed) and endogenous (none stated)
    assert.deepEqual([...new Set(t.rows.map((r) => r[col(t, 'timing')]))].sort(), [
      'endogenous',
      'scheduled',
    ]);
    for (const row of t.rows) {
      const event = run.events.find((e) => e.id === row[col(t, 'event')])!;
      const h = Number(row[col(t, 'h')]);
      const at = event.session;
      const behaviour = String(row[col(t, 'behaviour')]);
      const category = /^category (\d+)$/.exec(behaviour)?.[1];
      const hit = (s: SessionRecord) => (category ? s.category === Number(category) : hasPhrase(s));
      // the one convention (docs/analyses.md): before = t−h…t−1, after = t+1…t+h, session t in neither
      const before = span(Math.max(1, at - h), at - 1);
      const after = span(at + 1, at + h);
      const a = before.filter(hit).length;
      const b = after.filter(hit).length;
      assert.equal(row[col(t, 'before')], `${a}/${before.length}`, `${event.id} before`);
      assert.equal(row[col(t, 'after')], `${b}/${after.length}`, `${event.id} after`);
      const p1 = a / before.length;
      const p2 = b / after.length;
      matches(row[col(t, 'Δ pp')], (p2 - p1) * 100, `${event.id} change`);
      matches(row[col(t, 'Δ %')], (p2 / p1 - 1) * 100, `${event.id} relative change`);
      if (row[col(t, 'timing')] === 'endogenous') {
        // a rule-triggered event's window was selected by the behaviour: no interval, no p
        assert.equal(row[col(t, '95% (pp)')], null, `${event.id} has no interval`);
        assert.equal(row[col(t, 'p')], null, `${event.id} has no p`);
        continue;
      }
      const [lo, hi] = newcombe(b, after.length, a, before.length);
      const [plo, phi] = String(row[col(t, '95% (pp)')]).split(' to ');
      matches(plo!, lo * 100, `${event.id} interval lower`);
      matches(phi!, hi * 100, `${event.id} interval upper`);
      matches(row[col(t, 'p')], twoProportionP(a, before.length, b, after.length), `${event.id} p`);
    }
  });

  test('output length per window beside the reward, and their correlation', () => {
    const t = table(/Output length and reward per window/);
    const lengths: number[] = [];
    const rewards: number[] = [];
    t.rows.forEach((row, i) => {
      const w = windows[i]!;
      lengths.push(mean(w.map((s) => tokens(s.output).length)));
      rewards.push(mean(w.map(reward)));
      matches(row[col(t, 'mean tokens')], lengths[i]!, `mean tokens of window ${i}`);
      matches(row[col(t, 'mean reward')], rewards[i]!, `mean reward of window ${i}`);
    });
    matches(
      finding('length-drift.length-drift.1').numbers.length_reward_r!,
      ccf(lengths, rewards, 0),
      'length–reward r',
    );
    matches(
      finding('length-drift.length-drift.1').numbers.length_reward_r_differences!,
      ccf(diff(lengths), diff(rewards), 0),
      'length–reward r of the differences',
    );
  });

  test('the cross-correlations of the reward with each behaviour, levels and differences, with their bands', () => {
    const r = windows.map((w) => mean(w.map(reward)));
    const series: Record<string, number[]> = {
      'vocabulary (unique tokens)': windows.map((w) => new Set(w.flatMap((s) => tokens(s.output))).size),
      'response diversity': windows.map((w) =>
        distinct2Pooled(sampleRanks(w.length, 200, 1).map((i) => w[i]!.output)),
      ),
      'unsolicited rate (classification)': windows.map(
        (w) => w.filter((s) => s.classification === 'non_compliant').length / w.length,
      ),
    };
    for (const c of [2, 3, 4, 5]) {
      series[`category ${c} rate`] = windows.map((w) => w.filter((s) => s.category === c).length / w.length);
    }
    const found = report.sections.flatMap((s) => s.findings).filter((f) => f.id.includes('.correspondence.'));
    assert.equal(found.length, Object.keys(series).length);
    for (const f of found) {
      const y = series[String(f.numbers.behaviour)]!;
      const n = f.numbers;
      const best = bestLag(r, y, 5);
      assert.equal(n.best_lag, best.lag, `${n.behaviour} best lag`);
      matches(n.r_best!, best.r, `${n.behaviour} r at best`);
      matches(n.r_lag0!, ccf(r, y, 0), `${n.behaviour} r at lag 0`);
      matches(n.r_differences_lag0!, ccf(diff(r), diff(y), 0), `${n.behaviour} r of differences`);
      const dBest = bestLag(diff(r), diff(y), 5);
      assert.equal(n.differences_best_lag, dBest.lag, `${n.behaviour} best lag of differences`);
      matches(n.band!, 1.96 / Math.sqrt(r.length), 'band of the levels');
      matches(n.differences_band!, 1.96 / Math.sqrt(r.length - 1), 'band of the differences');
    }
  });

  test('the classification R² of the reward and the line of the mean reward on the unsolicited rate', () => {
    let within = 0;
    let total = 0;
    for (const w of windows) {
      const all = w.map(reward);
      const m = mean(all);
      total += all.reduce((a, x) => a + (x - m) ** 2, 0);
      for (const cls of ['compliant', 'non_compliant']) {
        const xs = w.filter((s) => s.classification === cls).map(reward);
        if (xs.length === 0) continue;
        const mc = mean(xs);
        within += xs.reduce((a, x) => a + (x - mc) ** 2, 0);
      }
    }
    const f = finding('outcome-correlation.correspondence.3').numbers;
    matches(f.classification_r2!, 1 - within / total, 'classification R²');
    const x = windows.map((w) => w.filter((s) => s.classification === 'non_compliant').length / w.length);
    const y = windows.map((w) => mean(w.map(reward)));
    const mx = mean(x);
    const my = mean(y);
    const slope =
      x.reduce((a, v, i) => a + (v - mx) * (y[i]! - my), 0) / x.reduce((a, v) => a + (v - mx) ** 2, 0);
    matches(f.fit_slope!, slope, 'slope');
    matches(f.fit_intercept!, my - slope * mx, 'intercept');
  });
  test('the departing annotation: its session, author, tokens and affect words', () => {
    const n = finding('annotations.crossref.1').numbers;
    const a = run.annotations.find((x) => x.id === n.annotation);
    assert.ok(a, `annotation ${n.annotation} in the record`);
    assert.equal(n.session, a.session);
    assert.equal(n.author, a.author);
    const t = tokens(a.text);
    assert.equal(n.tokens, t.length);
    assert.equal(n.affect_words, t.filter((x) => x === 'felt').length);
  });
});
