// An independent count, in TypeScript, of what the phase scans compute in the engine: the rows of
// `computeTransition` from session records held in memory (small simulated runs).
import { normaliseText, phrasePatternSource } from '../../../src/model/phrase-pattern.ts';
import type { SessionRecord } from '../../../src/model/schema.ts';
import { tokenize } from '../../../src/stats/tokenize.ts';
import type {
  PhaseCategoryRow,
  PhaseOrderBreak,
  PhaseOutputSample,
  PhasePhraseRow,
  PhaseWindowRow,
} from '../../../src/store/scans/phase-scans.ts';

interface Rows {
  readonly windows: PhaseWindowRow[];
  readonly categories: PhaseCategoryRow[];
  readonly phraseRows: PhasePhraseRow[];
  readonly orderBreaks: PhaseOrderBreak[];
  readonly samples: PhaseOutputSample[];
}

/**
 * Windows as the scan defines them: training counted back from its last session (window 0 = the last W),
 * a later phase forward from its first; later phases split by `meta.context`. Samples: the first `sample`
 * outputs in session order (the scan's order is seeded; the tests that use this do not depend on it).
 */
export function phaseRows(
  sessions: readonly SessionRecord[],
  size: number,
  phrases: readonly string[],
  sample = 200,
): Rows {
  const sorted = [...sessions].sort((a, b) => a.session - b.session);
  const phaseOf = (s: SessionRecord) => s.phase ?? 'training';
  const byPhase = new Map<string, SessionRecord[]>();
  for (const s of sorted) {
    const list = byPhase.get(phaseOf(s)) ?? [];
    list.push(s);
    byPhase.set(phaseOf(s), list);
  }
  const keyed = new Map<
    string,
    { phase: string; window: number; context: string | null; rows: SessionRecord[] }
  >();
  for (const [phase, list] of byPhase) {
    list.forEach((s, i) => {
      const window = phase === 'training' ? Math.floor((list.length - 1 - i) / size) : Math.floor(i / size);
      const context = phase === 'training' ? null : ((s.meta?.context as string | undefined) ?? null);
      const key = `${phase}\u0000${window}\u0000${context}`;
      const g = keyed.get(key) ?? { phase, window, context, rows: [] };
      g.rows.push(s);
      keyed.set(key, g);
    });
  }
  const patterns = phrases.map((p) => [p, new RegExp(phrasePatternSource(p), 'iu')] as const);
  const windows: PhaseWindowRow[] = [];
  const categories: PhaseCategoryRow[] = [];
  const phraseRows: PhasePhraseRow[] = [];
  for (const g of keyed.values()) {
    const ns = g.rows.map((s) => tokenize(s.output).length);
    const rewarded = g.rows.filter((s) => typeof s.baseline_reward === 'number');
    const nc = g.rows.filter((s) => s.classification === 'non_compliant');
    windows.push({
      phase: g.phase,
      window: g.window,
      context: g.context,
      sessions: g.rows.length,
      from: g.rows[0]!.session,
      to: g.rows.at(-1)!.session,
      classified: g.rows.filter((s) => s.classification != null).length,
      nonCompliant: nc.length,
      firstNonCompliant: nc[0]?.session ?? null,
      tokens: ns.reduce((a, b) => a + b, 0),
      tokensSquared: ns.reduce((a, b) => a + b * b, 0),
      rewarded: rewarded.length,
      rewardSum: rewarded.reduce((a, s) => a + s.baseline_reward!, 0),
      rewardSquared: rewarded.reduce((a, s) => a + s.baseline_reward! ** 2, 0),
    });
    const cats = new Map<string, SessionRecord[]>();
    for (const s of nc) {
      if (s.category == null) continue;
      const list = cats.get(String(s.category)) ?? [];
      list.push(s);
      cats.set(String(s.category), list);
    }
    for (const [category, rows] of cats)
      categories.push({ ...g, category, sessions: rows.length, first: rows[0]!.session });
    for (const [phrase, re] of patterns) {
      const hits = g.rows.filter((s) => re.test(normaliseText(s.output)));
      phraseRows.push({
        phase: g.phase,
        window: g.window,
        context: g.context,
        phrase,
        hits: hits.length,
        first: hits[0]?.session ?? null,
      });
    }
  }
  const training = byPhase.get('training') ?? [];
  const orderBreaks: PhaseOrderBreak[] = [];
  for (const [phase, list] of byPhase) {
    if (phase === 'training') continue;
    const after = training.filter((s) => s.session > list[0]!.session).map((s) => s.session);
    if (after.length > 0)
      orderBreaks.push({
        phase,
        phaseFirst: list[0]!.session,
        count: after.length,
        sessions: after.slice(0, 20),
      });
  }
  const samples: PhaseOutputSample[] = [...byPhase].map(([phase, list]) => ({
    phase,
    outputs: (phase === 'training' ? list.slice(-size) : list).slice(0, sample).map((s) => s.output),
  }));
  return { windows, categories, phraseRows, orderBreaks, samples };
}
