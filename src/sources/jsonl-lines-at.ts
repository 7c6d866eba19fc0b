import { createReadStream } from 'node:fs';

const NEWLINE = 0x0a;

/**
 * Streams the given lines of a plain UTF-8 file (1-based line numbers, ascending), as text without the newline,
 * in pages of at most `page` lines: the engine path's second look at the few lines SQL did not accept. Memory is
 * bounded by a page plus one read chunk (the prescan has already refused lines over the size limit).
 *
 * @example for await (const page of linesAt('run.jsonl', [3, 17])) for (const { line, text } of page) …
 */
export async function* linesAt(
  path: string,
  wanted: readonly number[],
  page = 20_000,
): AsyncGenerator<{ line: number; text: string }[]> {
  if (wanted.length === 0) return;
  const decoder = new TextDecoder('utf-8');
  let next = 0; // index into `wanted`
  let line = 1; // the line the next byte belongs to
  let pending: Buffer[] = []; // bytes of a wanted line that spans chunks
  let out: { line: number; text: string }[] = [];
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22 }) as AsyncIterable<Buffer>) {
    let pos = 0;
    while (pos < chunk.length && next < wanted.length) {
      const target = wanted[next]!;
      const nl = chunk.indexOf(NEWLINE, pos);
      if (line < target) {
        if (nl < 0) break;
        line++;
        pos = nl + 1;
        continue;
      }
      // line === target
      if (nl < 0) {
        pending.push(chunk.subarray(pos));
        break;
      }
      pending.push(chunk.subarray(pos, nl));
      out.push({ line, text: decoder.decode(Buffer.concat(pending)) });
      pending = [];
      next++;
      line++;
      pos = nl + 1;
      if (out.length >= page) {
        yield out;
        out = [];
      }
    }
    if (next >= wanted.length) break;
  }
  if (pending.length > 0 && next < wanted.length)
    out.push({ line, text: decoder.decode(Buffer.concat(pending)) });
  if (out.length > 0) yield out;
}
