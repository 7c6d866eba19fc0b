import type { SessionIndexCell } from '../../model/findings.ts';
import { escapeHtml } from '../escape.ts';

export type { SessionIndexCell } from '../../model/findings.ts';

const CATEGORY_COLORS: Readonly<Record<string, string>> = {
  '2': '#e6862e',
  '3': '#c0392b',
  '4': '#8e44ad',
  '5': '#7f5a3a',
};
const COMPLIANT = '#cfe3cf';
const UNKNOWN = '#dddddd';

function cellColor(c: SessionIndexCell): string {
  if (c.nonCompliant === null) return UNKNOWN;
  if (c.nonCompliant === 0) return COMPLIANT;
  if (c.sessions === 1) return CATEGORY_COLORS[c.category ?? ''] ?? '#a93226';
  // a bucket: shade from light to dark red with the share of non-compliant sessions
  const share = c.nonCompliant / c.sessions;
  const light = Math.round(85 - 55 * Math.min(1, share * 2));
  return `hsl(4, 65%, ${light}%)`;
}

/** Reward colours: red (low) through yellow to green (high), linear in the reward between `lo` and `hi`. */
const REWARD_STOPS: readonly [number, number, number][] = [
  [215, 48, 39],
  [254, 224, 139],
  [26, 152, 80],
];

export function rewardColor(value: number, lo: number, hi: number): string {
  const t = hi > lo ? Math.min(1, Math.max(0, (value - lo) / (hi - lo))) : 0.5;
  const pos = t * (REWARD_STOPS.length - 1);
  const i = Math.min(REWARD_STOPS.length - 2, Math.floor(pos));
  const f = pos - i;
  const [a, b] = [REWARD_STOPS[i]!, REWARD_STOPS[i + 1]!];
  const c = a.map((v, k) => Math.round(v + (b[k]! - v) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The reward scale's ends: 0–1 when every reward lies in it (the record format's scale), else min–max. */
export function rewardRange(cells: readonly SessionIndexCell[]): [number, number] {
  const values = cells.map((c) => c.reward).filter((v): v is number => v !== null);
  if (values.length === 0) return [0, 1];
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo >= 0 && hi <= 1 ? [0, 1] : [lo, hi];
}

/** Cells per step, in step order. */
function stepSizes(cells: readonly SessionIndexCell[]): number[] {
  const sizes = new Map<number | null, number>();
  for (const c of cells) sizes.set(c.stepFrom, (sizes.get(c.stepFrom) ?? 0) + 1);
  return [...sizes.values()];
}

export interface SessionIndexOptions {
  readonly title: string;
  readonly linked?: ReadonlySet<number>;
  /** What the colour shows (default classification). */
  readonly colour?: 'classification' | 'reward' | 'none';
  /** The reward the colour shows, for the legend. */
  readonly reward?: string | null;
  /** Rows of sessions in reading order, or one row (wrapped when long) per training step. */
  readonly rows?: 'session' | 'step';
}

/** Cells laid out in rows: each row's cells and its label (shown on the first row of a step, or every 10th). */
function layoutRows(
  cells: readonly SessionIndexCell[],
  perRow: number,
  by: 'session' | 'step',
): { cells: SessionIndexCell[]; label: string | null }[] {
  const rows: { cells: SessionIndexCell[]; label: string | null }[] = [];
  if (by === 'step') {
    let current: number | null | undefined;
    for (const c of cells) {
      const last = rows[rows.length - 1];
      if (c.stepFrom !== current || !last || last.cells.length >= perRow) {
        const labelled = c.stepFrom !== current;
        rows.push({
          cells: [],
          label: labelled ? (c.stepFrom === null ? 'no step' : `step ${c.stepFrom}`) : null,
        });
        current = c.stepFrom;
      }
      rows[rows.length - 1]!.cells.push(c);
    }
    return rows;
  }
  for (let i = 0; i < cells.length; i += perRow) {
    const r = rows.length;
    const n = Math.ceil(cells.length / perRow);
    rows.push({
      cells: cells.slice(i, i + perRow),
      label: r % 10 === 0 || r === n - 1 ? String(cells[i]!.from) : null,
    });
  }
  return rows;
}

/**
 * The session index: every session (or, past `maxCells`, every bucket of sessions) a cell, in reading order
 * or one row per training step, coloured by classification and category — or, on a run without a
 * classification, by reward on a continuous scale — with calibration events outlined and marked above their
 * row. 12,847 sessions at 160 per row give 81 rows of 4-pixel cells, legible at a glance; rows are labelled
 * with their first session or their step. Labels are escaped; no model text is drawn.
 */
export function sessionIndexSvg(cells: readonly SessionIndexCell[], options: SessionIndexOptions): string {
  const byStep = options.rows === 'step';
  // one row per step: rows as wide as the largest step (at most 160 cells), cells large enough to label rows
  const widest = byStep ? Math.max(1, ...stepSizes(cells)) : 160;
  const perRow = Math.min(160, widest);
  const cell = byStep && perRow <= 100 ? 8 : 4;
  const gap = byStep && perRow <= 100 ? 2 : 1;
  const left = 64;
  const top = 28;
  const colour = options.colour ?? 'classification';
  const [lo, hi] = rewardRange(cells);
  const fill = (c: SessionIndexCell): string =>
    colour === 'reward' ? (c.reward === null ? UNKNOWN : rewardColor(c.reward, lo, hi)) : cellColor(c);
  const layout = layoutRows(cells, perRow, byStep ? 'step' : 'session');
  const rows = layout.length;
  const width = Math.max(left + perRow * (cell + gap) + 10, 620);
  const legendY = top + rows * (cell + gap) + 14;
  const height = legendY + 30;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="0" y="14" font-size="13">${escapeHtml(options.title)}</text>`,
  );
  layout.forEach((row, r) => {
    if (row.label !== null) {
      const y = top + r * (cell + gap) + cell;
      parts.push(
        `<text x="${left - 6}" y="${y}" font-size="9" text-anchor="end" fill="#555">${escapeHtml(row.label)}</text>`,
      );
    }
  });
  const placed = layout.flatMap((row, r) => row.cells.map((c, i) => ({ c, r, i })));
  const eventMarks: string[] = [];
  const links: string[] = [];
  for (const { c, r, i } of placed) {
    const x = left + i * (cell + gap);
    const y = top + r * (cell + gap);
    parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill(c)}"/>`);
    // a session a finding cites: a dark ring that links to its excerpt in the report
    const target = options.linked && c.sessions === 1 && options.linked.has(c.from) ? c.from : null;
    if (target !== null) {
      links.push(
        `<a href="#s-${target}"><title>session ${target} (cited: open its excerpt)</title><rect x="${x - 0.5}" y="${y - 0.5}" width="${cell + 1}" height="${cell + 1}" fill="none" stroke="#1f4e9c" stroke-width="1.2"/></a>`,
      );
    }
    if (c.flagged && c.sessions === 1 && c.nonCompliant === 0) {
      parts.push(`<rect x="${x + 1}" y="${y + 1}" width="2" height="2" fill="#444"/>`);
    }
    if (c.events.length > 0) {
      const label = escapeHtml(`${c.events.join(', ')} at session ${c.from}`);
      eventMarks.push(
        `<g><title>${label}</title><rect x="${x - 1}" y="${y - 1}" width="${cell + 2}" height="${cell + 2}" fill="none" stroke="#000" stroke-width="1"/><path d="M${x + cell / 2} ${y - 2} l-3 -5 h6 z" fill="#000"/></g>`,
      );
    }
  }
  parts.push(...eventMarks, ...links);
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  const rewardName = (options.reward ?? 'reward').replace('_', ' ');
  const legend: [string, string][] =
    colour === 'reward'
      ? [0, 0.25, 0.5, 0.75, 1].map((t): [string, string] => {
          const v = lo + (hi - lo) * t;
          return [t === 0 ? `${rewardName} ${fmt(v)}` : fmt(v), rewardColor(v, lo, hi)];
        })
      : colour === 'none'
        ? [['no classification or reward', UNKNOWN]]
        : [
            ['compliant', COMPLIANT],
            ['Cat 2', CATEGORY_COLORS['2']!],
            ['Cat 3', CATEGORY_COLORS['3']!],
            ['Cat 4', CATEGORY_COLORS['4']!],
            ['Cat 5', CATEGORY_COLORS['5']!],
            ['unclassified', UNKNOWN],
          ];
  if (colour === 'reward' && cells.some((c) => c.reward === null)) legend.push(['no reward', UNKNOWN]);
  let lx = left;
  for (const [label, color] of legend) {
    parts.push(`<rect x="${lx}" y="${legendY}" width="10" height="10" fill="${color}"/>`);
    parts.push(`<text x="${lx + 14}" y="${legendY + 9}" font-size="10">${escapeHtml(label)}</text>`);
    lx += 24 + label.length * 6;
  }
  if (cells.some((c) => c.events.length > 0)) {
    parts.push(`<path d="M${lx + 5} ${legendY + 10} l-3 -6 h6 z" fill="#000"/>`);
    parts.push(`<text x="${lx + 12}" y="${legendY + 9}" font-size="10">calibration event</text>`);
    lx += 110;
  }
  parts.push(
    `<rect x="${lx}" y="${legendY}" width="10" height="10" fill="none" stroke="#1f4e9c" stroke-width="1.2"/>`,
  );
  parts.push(
    `<text x="${lx + 14}" y="${legendY + 9}" font-size="10">cited session (links to its excerpt)</text>`,
  );
  const per =
    cells[0] && cells[0].sessions > 1
      ? ` · one cell = ${cells[0].sessions} sessions`
      : ' · one cell = one session';
  parts.push(
    `<text x="${left}" y="${legendY + 24}" font-size="10" fill="#555">${escapeHtml(options.rows === 'step' ? `one row per training step (wrapped after ${perRow} cells)${per}` : `${perRow} cells per row${per}`)}</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
