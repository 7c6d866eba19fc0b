import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../model/errors.ts';
import type { ProgressFn } from './source-item.ts';

/**
 * The decoded byte stream of an input file, plus the SHA-256 of the file as stored and the count of stored
 * bytes read (for progress). A truncated or corrupt gzip stream surfaces as an `InputError` from the
 * iterator, naming the file.
 */
export class ByteSource {
  readonly hash: Hash = createHash('sha256');
  bytesRead = 0;
  private readonly raw: Readable;
  readonly stream: Readable;

  constructor(
    readonly path: string,
    gzip: boolean,
    onProgress?: ProgressFn,
  ) {
    this.raw = createReadStream(path, { highWaterMark: 1 << 20 });
    this.raw.on('data', (chunk: Buffer) => {
      this.hash.update(chunk);
      this.bytesRead += chunk.length;
      onProgress?.(this.bytesRead);
    });
    if (gzip) {
      const gunzip = createGunzip();
      this.raw.on('error', (err) => gunzip.destroy(err));
      this.stream = this.raw.pipe(gunzip);
    } else {
      this.stream = this.raw;
    }
  }

  /** Hex SHA-256 of the stored file; valid once the stream has been read to its end. */
  sha256(): string {
    return this.hash.digest('hex');
  }

  /** Maps low-level stream errors to a one-line `InputError` for this file. */
  wrapError(err: unknown, line: number): InputError {
    if (err instanceof InputError) return err;
    const e = err as NodeJS.ErrnoException;
    const msg =
      e.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(e.message)
        ? `truncated gzip stream: the file ends after line ${line - 1}`
        : e.code?.startsWith('Z_')
          ? `corrupt gzip stream (${e.message})`
          : `read error (${e.message})`;
    return new InputError(msg, { file: this.path, line }, { cause: err });
  }

  destroy(): void {
    this.stream.destroy();
    this.raw.destroy();
  }
}
