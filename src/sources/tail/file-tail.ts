import { type FileHandle, open, stat } from 'node:fs/promises';
import { byteSize, parseJsonLine } from '../jsonl-reader.ts';
import type { SourceItem } from '../source-item.ts';

const NEWLINE = 0x0a;
const CR = 0x0d;

/** What one read of a followed file gave. */
export interface TailRead {
  /** The complete lines read, parsed (blank lines are not records), with their 1-based line numbers. */
  readonly items: SourceItem[];
  /**
   * Set when the file was replaced (another inode at the path: rotation) or truncated (shorter than what was
   * read) since the last read: reading started again at byte 0 and line 1 of the new content. Items of the
   * new content follow `before` (what was read of the old content in this call: its last lines, read to its
   * end, and its held-back last line).
   */
  readonly restarted: 'rotated' | 'truncated' | null;
  /** Items of the old content, before a restart (the incomplete last line it ended with, as a reject). */
  readonly before: SourceItem[];
  /** Bytes of the file read so far (of the current content), and its size when read. */
  readonly offset: number;
  readonly size: number;
  /** Bytes of an incomplete last line held back until its newline arrives. */
  readonly heldBack: number;
  /** Whether the file exists at all. */
  readonly exists: boolean;
  /** Its modification time (ms since the epoch), 0 when missing. */
  readonly mtimeMs: number;
}

/**
 * Follows one JSONL file a trainer is still writing: each `read()` returns the lines completed since the
 * last one. A last line without its newline is held back (never parsed half-written) until the newline
 * arrives. The file is held open: when another file appears at the path (rotation: another inode), the old one
 * is first read to its end through that descriptor (lines written just before the rename are not lost), then
 * the new one from its start; a file cut shorter (truncation) is read again from its start. An incomplete line
 * the old content ended with becomes a reject (`(line)`: it was never completed) instead of being dropped. Lines longer than `maxLineBytes` are rejected without being held.
 *
 * @example
 * const t = new FileTail('rollouts.jsonl', 16 << 20);
 * const r = await t.read(); // r.items: the complete lines so far; r.heldBack: bytes of a partial last line
 */
export class FileTail {
  private offset = 0;
  private line = 0;
  /** The file followed, held open so that a rotated file can be read to its end after the rename. */
  private fh: FileHandle | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(
    readonly path: string,
    private readonly maxLineBytes: number,
    /** Most bytes one read takes (bounded memory; the rest comes with the next read). Settable between reads. */
    public maxReadBytes = 8 << 20,
  ) {}

  /** Bytes of the current content read so far. */
  get offsetRead(): number {
    return this.offset;
  }

  /** Bytes of an incomplete last line held back. */
  get heldBackBytes(): number {
    return this.pendingBytes;
  }

  /** Lines read so far of the current content. */
  get lines(): number {
    return this.line;
  }

  async read(): Promise<TailRead> {
    let st: Awaited<ReturnType<typeof stat>> | null = null;
    try {
      st = await stat(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (this.fh === null) {
      if (st === null) return this.result([], [], null, 0, false, 0);
      this.fh = await open(this.path, 'r');
    }
    const fh = this.fh;
    const own = await fh.stat();
    const before: SourceItem[] = [];
    let restarted: TailRead['restarted'] = null;
    if (st !== null && st.ino !== own.ino) {
      // rotation: another file at the path. The old one may have lines written just before the rename that
      // no read has seen yet: it is read to its end through the descriptor held open, then left
      const items: SourceItem[] = [];
      const drained = await this.readFrom(fh, own.size, items);
      if (!drained) return this.result(items, [], null, own.size, true, own.mtimeMs);
      before.push(...items);
      restarted = 'rotated';
    } else if (own.size < this.offset) {
      restarted = 'truncated';
    }
    if (restarted !== null) {
      if (this.pendingBytes > 0 || this.skipping) {
        before.push({
          kind: 'unreadable',
          line: this.line + 1,
          field: '(line)',
          expected: 'a complete line (ending in a newline)',
          got: `an incomplete last line of ${byteSize(this.pendingBytes)}: the file was ${restarted} before it was completed`,
        });
      }
      this.offset = 0;
      this.line = 0;
      this.pending = [];
      this.pendingBytes = 0;
      this.skipping = false;
      if (restarted === 'rotated') {
        await fh.close();
        this.fh = await open(this.path, 'r');
      }
    }
    const current = this.fh!;
    const now = restarted === 'rotated' ? await current.stat() : own;
    const items: SourceItem[] = [];
    await this.readFrom(current, now.size, items);
    return this.result(items, before, restarted, now.size, true, now.mtimeMs);
  }

  /** Reads up to `maxReadBytes` of `fh` from the offset towards `size`; true when it reached `size`. */
  private async readFrom(fh: FileHandle, size: number, items: SourceItem[]): Promise<boolean> {
    const want = Math.min(size - this.offset, this.maxReadBytes);
    if (want > 0) {
      const buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await fh.read(buf, 0, want, this.offset);
      this.consume(buf.subarray(0, bytesRead), items);
      this.offset += bytesRead;
    }
    return this.offset >= size;
  }

  private result(
    items: SourceItem[],
    before: SourceItem[],
    restarted: TailRead['restarted'],
    size: number,
    exists: boolean,
    mtimeMs: number,
  ): TailRead {
    return {
      items,
      before,
      restarted,
      offset: this.offset,
      size,
      heldBack: this.pendingBytes,
      exists,
      mtimeMs,
    };
  }

  /** Closes the file held open (a later `read` opens it again and goes on where it was). */
  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await fh?.close();
  }

  private consume(chunk: Buffer, out: SourceItem[]): void {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, pos);
      const end = nl < 0 ? chunk.length : nl;
      if (this.skipping) {
        this.pendingBytes += end - pos;
        if (nl >= 0) this.tooLong(out);
      } else if (nl >= 0 && this.pending.length === 0 && end - pos <= this.maxLineBytes) {
        this.finishLine(chunk.subarray(pos, end), out);
      } else {
        // copied: the read buffer is reused by nothing, but a held line must outlive this chunk
        this.pending.push(Buffer.from(chunk.subarray(pos, end)));
        this.pendingBytes += end - pos;
        if (this.pendingBytes > this.maxLineBytes) {
          this.pending = [];
          this.skipping = true;
          if (nl >= 0) this.tooLong(out);
        } else if (nl >= 0) {
          this.finishLine(Buffer.concat(this.pending, this.pendingBytes), out);
          this.pending = [];
          this.pendingBytes = 0;
        }
      }
      pos = nl < 0 ? chunk.length : nl + 1;
    }
  }

  private tooLong(out: SourceItem[]): void {
    this.line++;
    out.push({
      kind: 'unreadable',
      line: this.line,
      field: '(line)',
      expected: `a line of at most ${byteSize(this.maxLineBytes)} (raise --max-line-bytes)`,
      got: `a line of ${byteSize(this.pendingBytes)}`,
    });
    this.skipping = false;
    this.pendingBytes = 0;
  }

  private finishLine(bytes: Buffer, out: SourceItem[]): void {
    this.line++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    let start = 0;
    if (this.line === 1 && end > 2 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3; // BOM
    while (start < end && (bytes[start] === 0x20 || bytes[start] === 0x09)) start++;
    if (start === end) return;
    let text: string;
    try {
      text = this.decoder.decode(bytes.subarray(start, end));
    } catch {
      out.push({
        kind: 'unreadable',
        line: this.line,
        field: '(line)',
        expected: 'UTF-8 text',
        got: 'invalid UTF-8 bytes',
      });
      return;
    }
    out.push(parseJsonLine(text, this.line));
  }
}
