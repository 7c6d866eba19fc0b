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

/**
 * The session index: every session (or, past `maxCells`, every bucket of sessions) a cell in reading order,
 * coloured by classification and category, with calibration events outlined and marked above their row.
 * 12,847 sessions at 160 per row give 81 rows of 4-pixel cells, legible at a glance; rows are labelled with
 * their first session. Labels are escaped; no model text is drawn.
 */
export function sessionIndexSvg(
  cells: readonly SessionIndexCell[],
  options: { readonly title: string; readonly linked?: ReadonlySet<number> },
): string {
  const perRow = 160;
  const cell = 4;
  const gap = 1;
  const left = 64;
  const top = 28;
  const rows = Math.ceil(cells.length / perRow);
  const width = left + perRow * (cell + gap) + 10;
  const legendY = top + rows * (cell + gap) + 14;
  const height = legendY + 30;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="0" y="14" font-size="13">${escapeHtml(options.title)}</text>`,
  );
  for (let r = 0; r < rows; r++) {
    const first = cells[r * perRow];
    if (first && (r % 10 === 0 || r === rows - 1)) {
      const y = top + r * (cell + gap) + cell;
      parts.push(
        `<text x="${left - 6}" y="${y}" font-size="9" text-anchor="end" fill="#555">${first.from}</text>`,
      );
    }
  }
  const eventMarks: string[] = [];
  const links: string[] = [];
  cells.forEach((c, i) => {
    const x = left + (i % perRow) * (cell + gap);
    const y = top + Math.floor(i / perRow) * (cell + gap);
    parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${cellColor(c)}"/>`);
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
  });
  parts.push(...eventMarks, ...links);
  const legend: [string, string][] = [
    ['compliant', COMPLIANT],
    ['Cat 2', CATEGORY_COLORS['2']!],
    ['Cat 3', CATEGORY_COLORS['3']!],
    ['Cat 4', CATEGORY_COLORS['4']!],
    ['Cat 5', CATEGORY_COLORS['5']!],
    ['unclassified', UNKNOWN],
  ];
  let lx = left;
  for (const [label, color] of legend) {
    parts.push(`<rect x="${lx}" y="${legendY}" width="10" height="10" fill="${color}"/>`);
    parts.push(`<text x="${lx + 14}" y="${legendY + 9}" font-size="10">${escapeHtml(label)}</text>`);
    lx += 24 + label.length * 6;
  }
  parts.push(`<path d="M${lx + 5} ${legendY + 10} l-3 -6 h6 z" fill="#000"/>`);
  parts.push(`<text x="${lx + 12}" y="${legendY + 9}" font-size="10">calibration event</text>`);
  lx += 110;
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
    `<text x="${left}" y="${legendY + 24}" font-size="10" fill="#555">${escapeHtml(`${perRow} cells per row${per}`)}</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
