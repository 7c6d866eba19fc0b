import { open, stat } from 'node:fs/promises';
import { readParquet } from '../parquet-reader.ts';
import type { SourceItem } from '../source-item.ts';
import type { TailRead } from './file-tail.ts';

const MAGIC = Buffer.from('PAR1');

/**
 * Follows a Parquet file a trainer writes (TRL's `completions_<step>.parquet`): unlike JSONL, a Parquet file is
 * only readable once whole — its footer, which ends in the magic bytes `PAR1`, is written last. Each `read()`
 * checks the file's last four bytes; once they are `PAR1` the whole file is read (row number = line) and
 * handed over once. A file that ends in `PAR1` but cannot be read yet while it is still changing is tried again
 * at the next read; one that cannot be read and no longer changes becomes one reject naming why. The file is
 * read once: rows added to it afterwards (a writer that rewrites a finished Parquet file) are not followed.
 *
 * @example
 * const t = new ParquetTail('completions/completions_00010.parquet');
 * const r = await t.read(); // r.items: every row, the first time the file is complete; [] before and after
 */
export class ParquetTail {
  #done = false;
  #lines = 0;
  #offset = 0;
  #failedAt: { size: number; mtimeMs: number } | null = null;

  constructor(
    readonly path: string,
    private readonly batchRows = 10_000,
  ) {}

  /** Bytes taken so far: 0 until the file is read, then its size. */
  get offsetRead(): number {
    return this.#offset;
  }

  get heldBackBytes(): number {
    return 0;
  }

  get lines(): number {
    return this.#lines;
  }

  async read(): Promise<TailRead> {
    const st = await stat(this.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (st === null) return this.result([], 0, false, 0);
    if (this.#done || st.size < 12 || !(await endsWithMagic(this.path, st.size))) {
      return this.result([], st.size, true, st.mtimeMs);
    }
    const items: SourceItem[] = [];
    try {
      const file = { path: this.path, format: 'parquet' as const, gzip: false, bytes: st.size };
      for await (const batch of readParquet(file, { maxLineBytes: 0, batchRows: this.batchRows })) {
        items.push(...batch);
      }
    } catch (err) {
      const same = this.#failedAt?.size === st.size && this.#failedAt.mtimeMs === st.mtimeMs;
      if (!same) {
        // maybe still being written: tried again at the next read
        this.#failedAt = { size: st.size, mtimeMs: st.mtimeMs };
        return this.result([], st.size, true, st.mtimeMs);
      }
      items.length = 0;
      items.push({
        kind: 'unreadable',
        line: 1,
        field: '(file)',
        expected: 'a readable Parquet file',
        got: (err as Error).message.split('\n')[0]!,
      });
    }
    this.#done = true;
    this.#offset = st.size;
    this.#lines = items.length;
    return this.result(items, st.size, true, st.mtimeMs);
  }

  private result(items: SourceItem[], size: number, exists: boolean, mtimeMs: number): TailRead {
    return {
      items,
      before: [],
      restarted: null,
      offset: this.#offset,
      size,
      heldBack: 0,
      exists,
      mtimeMs,
    };
  }

  async close(): Promise<void> {}
}

async function endsWithMagic(path: string, size: number): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    await fh.read(buf, 0, 4, size - 4);
    return buf.equals(MAGIC);
  } finally {
    await fh.close();
  }
}
