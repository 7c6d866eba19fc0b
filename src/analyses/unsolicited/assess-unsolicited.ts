import type { ReportTable } from '../../model/findings.ts';
import {
  type AssessContext,
  type AssessedAnalysis,
  findingBuilder,
  label,
  n0,
  onlyMissing,
  pct,
  round,
  sessionShows,
  type Thresholds,
  threshold,
  windowShows,
  windowText,
} from '../shared/assessment.ts';
import type { UnsolicitedResult } from './analyze-unsolicited.ts';

/** Defaults of the unsolicited-content thresholds (docs/templates.md). */
export const UNSOLICITED_DEFAULTS = {
  /** A rate below this in every window from some window to the end is suppressed… */
  suppressed_below: 0.01,
  /** …when the first window's rate was at least this (the behaviour was there to suppress). */
  present_above: 0.05,
} as const;

/**
 * Findings of the unsolicited-content analysis: the rate first vs last window, the window from which it
 * stayed below `suppressed_below` (tag `behaviour_suppressed`), and the same per category.
 *
 * @example
 * assessUnsolicited(result, { suppressed_below: 0.01 }, { sectionId: 'aggregate-trajectory', run: 'wild-7' })
 */
export function assessUnsolicited(
  r: UnsolicitedResult,
  t: Thresholds,
  context: AssessContext,
): AssessedAnalysis {
  const fl = r.firstLast;
  if (!fl || r.windows.every((w) => w.n === 0)) return onlyMissing(r.missing);
  const b = findingBuilder(context, 'unsolicited');
  const below = threshold(t, 'suppressed_below', UNSOLICITED_DEFAULTS.suppressed_below);
  const present = threshold(t, 'present_above', UNSOLICITED_DEFAULTS.present_above);
  const source =
    r.source === 'classification'
      ? 'the record’s classification (every non-compliant output is unsolicited)'
      : `the detector '${r.detector}'`;
  const method =
    `unsolicited-content analysis: rate = unsolicited / n per window (${windowText(r.windowSpec)}), ` +
    `from ${source}; Wilson 95% intervals`;
  const windows = r.windows.filter((w) => w.n > 0);
  const first = windows[0]!;
  const firstFull = windows.find((w) => w.label === fl.firstWindow)!;
  const lastFull = windows.find((w) => w.label === fl.lastWindow)!;
  // the cited sessions are unsolicited outputs: non-compliant when the classification is the source
  const where = r.source === 'classification' ? { classification: 'non_compliant' as const } : undefined;
  // the first window from which every later window stays below the threshold
  let from = windows.length;
  while (from > 0 && windows[from - 1]!.rate < below) from--;
  const suppressed = from < windows.length && first.rate >= present && from > 0;
  const lastSeen = [...windows].reverse().find((w) => w.count > 0);
  // the window's cited sessions are its first few unsolicited ones: the last of them is the run's last
  // unsolicited session only when they are all of the window's
  const lastSession =
    lastSeen && lastSeen.evidence.length >= lastSeen.count ? lastSeen.evidence.at(-1) : undefined;
  const ci = (c: { lower: number; upper: number } | null) =>
    c ? `; 95% ${pct(c.lower)}–${pct(c.upper)}` : '';
  const sinceText = suppressed
    ? `; it stayed below ${pct(below, 0)} from ${label(windows[from]!.label)} on` +
      (lastSession !== undefined ? `, the last unsolicited output being session ${n0(lastSession)}` : '')
    : '';
  const sizes = fl.equalSize
    ? fl.setAside
      ? `, the last full window (the partial ${label(fl.setAside.window)} set aside: ${fl.setAside.count} of ${fl.setAside.n})`
      : ''
    : ` (unequal windows: ${fl.firstN} and ${fl.lastN} sessions; the run has fewer than two full windows)`;
  const firstCited = firstFull.evidence.slice(0, 2);
  b.add({
    severity: suppressed ? 'warning' : 'info',
    claim:
      `Unsolicited content ${fl.last.rate < fl.first.rate ? 'fell' : fl.last.rate > fl.first.rate ? 'rose' : 'stayed'} ` +
      `from ${pct(fl.first.rate)} of outputs (${fl.first.count} of ${fl.firstN}) in ${label(fl.firstWindow)} ` +
      `to ${pct(fl.last.rate)} (${fl.last.count} of ${fl.lastN}${ci(fl.last.ci95)}) in ${label(fl.lastWindow)}${sizes}${sinceText}.`,
    numbers: {
      first_rate: round(fl.first.rate),
      last_rate: round(fl.last.rate),
      last_ci_upper: round(fl.last.ci95?.upper),
      first_window: fl.firstWindow,
      last_window: fl.lastWindow,
      first_n: fl.firstN,
      last_n: fl.lastN,
      suppressed_from: suppressed ? windows[from]!.from : null,
      suppressed_below: below,
      last_unsolicited_session: suppressed ? (lastSession ?? null) : null,
    },
    method: `${method}; first vs last full window (equal sizes, a trailing partial window set aside)`,
    evidence: {
      sessions: [...firstCited, ...(suppressed && lastSession !== undefined ? [lastSession] : [])],
      shows: [
        windowShows(firstFull, where),
        ...(suppressed && lastSession !== undefined ? [sessionShows(lastSession, where)] : []),
      ],
    },
    tags: suppressed ? ['behaviour_suppressed', 'unsolicited_suppressed'] : [],
  });

  const iFirst = windows.indexOf(firstFull);
  const iLast = windows.indexOf(lastFull);
  const cats = r.categories.map((category) => {
    const rates = windows.map((w) => w.categories.find((c) => c.category === category)?.rate ?? 0);
    let k = rates.length;
    while (k > 0 && rates[k - 1]! < below) k--;
    return {
      category,
      first: rates[iFirst]!,
      last: rates[iLast]!,
      suppressed: k < rates.length && k > 0 && rates[0]! >= present / 4,
      since: k < rates.length ? windows[k]! : null,
    };
  });
  if (cats.length > 0) {
    const numbers: Record<string, number | string | null> = {};
    for (const c of cats) {
      numbers[`category_${c.category}_first`] = round(c.first);
      numbers[`category_${c.category}_last`] = round(c.last);
    }
    const gone = cats.filter((c) => c.suppressed);
    const absent = cats.filter((c) => !c.suppressed && c.since === windows[0]);
    numbers.suppressed_categories = gone.map((c) => c.category).join(',') || null;
    const names = (cs: typeof cats) => {
      const ids = cs.map((c) => c.category);
      const list = ids.length === 1 ? ids[0]! : `${ids.slice(0, -1).join(', ')} and ${ids.at(-1)}`;
      return `categor${ids.length === 1 ? 'y' : 'ies'} ${list}`;
    };
    const goneText = gone.length
      ? `; ${gone.length} of ${cats.length} categories stayed below ${pct(below, 0)} to the end: ` +
        gone.map((c) => `category ${c.category} from ${label(c.since!.label)} on`).join(', ')
      : '';
    const absentText = absent.length
      ? `; ${names(absent)} stayed below ${pct(below, 0)} in every window`
      : '';
    b.add({
      severity: 'info',
      claim:
        `Per category, first vs last ${r.windowSpec.by === 'session' && fl.equalSize ? 'full ' : ''}window (${label(fl.firstWindow)} → ${label(fl.lastWindow)}): ` +
        `${cats.map((c) => `category ${c.category} ${pct(c.first)} → ${pct(c.last)}`).join(', ')}${goneText}${absentText}.`,
      numbers,
      method:
        `${method}; category rate = sessions of the category / n; suppressed = below ${pct(below, 0)} in every ` +
        `window from some window to the end, after a first-window rate of at least ${pct(present / 4, 2)}`,
      evidence: { sessions: firstCited, shows: [windowShows(firstFull, where)] },
      tags: gone.length ? ['category_suppressed'] : [],
    });
  }
  if (r.evaluation && r.evaluation.precision !== null && r.evaluation.recall !== null) {
    const e = r.evaluation;
    b.add({
      severity: 'info',
      claim: `The detector '${e.detector}' agrees with the simulator's ground truth with precision ${pct(e.precision!)} and recall ${pct(e.recall!)}.`,
      numbers: { precision: round(e.precision), recall: round(e.recall), f1: round(e.f1) },
      method: 'detector vs meta.true_behaviour: precision = TP / (TP + FP), recall = TP / (TP + FN)',
      tags: ['detector_evaluation'],
    });
  }
  const table: ReportTable = {
    title: 'Unsolicited content per window',
    columns: ['window', 'n', 'unsolicited', 'rate', ...r.categories.map((c) => `category ${c}`)],
    rows: r.windows.map((w) => [w.label, w.n, w.count, pct(w.rate), ...w.categories.map((c) => pct(c.rate))]),
  };
  return { findings: b.findings, tables: [table], notes: [], missing: r.missing };
}
