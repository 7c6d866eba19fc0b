import { printMissing, renderTable } from '../shared/render-table.ts';
import type { CrossrefResult } from './analyze-crossref.ts';

export function crossrefTable(r: CrossrefResult, write: (text: string) => void): void {
  const out = (s: string) => write(`${s}\n`);
  if (r.authors.length > 0) {
    out(
      renderTable(
        ['author', 'annotations', 'median tokens', 'MAD', 'standard fields'],
        r.authors.map((a) => [
          a.author,
          a.annotations,
          a.medianTokens,
          a.madTokens,
          a.standardFields.join(', '),
        ]),
      ),
    );
    out('');
  }
  out(
    `annotations departing from their author's standard: ${r.flagged.length}${r.truncated ? ' (prefilter truncated)' : ''}`,
  );
  if (r.flagged.length > 0) {
    out(
      renderTable(
        ['annotation', 'session', 'author', 'reasons', 'text'],
        r.flagged.map((a) => [
          a.id,
          a.session,
          a.author,
          a.reasons.join(', '),
          a.text.length > 60 ? `${a.text.slice(0, 59)}…` : a.text,
        ]),
      ),
    );
  }
  out('');
  out(`co-occurrences with calibration events (±${r.near} sessions): ${r.coOccurrences.length}`);
  for (const c of r.coOccurrences) out(`  ${c.summary}`);
  printMissing(r.missing, write);
}
