import { open } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { InputError } from '../../model/errors.ts';

/** One file inside a zip archive. */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * A minimal reader of zip archives (Inspect's `.eval` logs), on `node:zlib` alone: the central directory is
 * read from the end of the file, each entry is read and inflated on demand, so memory holds one entry at a
 * time. Stored (0) and deflated (8) entries are supported; Zip64 archives (over 4 GiB) are refused clearly.
 */
export class ZipReader {
  private constructor(
    readonly path: string,
    readonly entries: readonly ZipEntry[],
  ) {}

  static async open(path: string): Promise<ZipReader> {
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      const tailLen = Math.min(size, 65_557); // EOCD (22 bytes) + the longest comment (65,535)
      const tail = Buffer.alloc(tailLen);
      await fh.read(tail, 0, tailLen, size - tailLen);
      let at = -1;
      for (let i = tailLen - 22; i >= 0; i--) {
        if (tail.readUInt32LE(i) === EOCD) {
          at = i;
          break;
        }
      }
      if (at < 0) throw new InputError('not a zip archive (no end of central directory)', { file: path });
      const count = tail.readUInt16LE(at + 10);
      const dirSize = tail.readUInt32LE(at + 12);
      const dirOffset = tail.readUInt32LE(at + 16);
      if (count === 0xffff || dirOffset === 0xffffffff) {
        throw new InputError('Zip64 archives are not supported; unzip it and ingest the JSON samples', {
          file: path,
        });
      }
      const dir = Buffer.alloc(dirSize);
      await fh.read(dir, 0, dirSize, dirOffset);
      const entries: ZipEntry[] = [];
      let p = 0;
      for (let i = 0; i < count; i++) {
        if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL) {
          throw new InputError('corrupt zip central directory', { file: path });
        }
        const nameLen = dir.readUInt16LE(p + 28);
        const extraLen = dir.readUInt16LE(p + 30);
        const commentLen = dir.readUInt16LE(p + 32);
        entries.push({
          method: dir.readUInt16LE(p + 10),
          compressedSize: dir.readUInt32LE(p + 20),
          size: dir.readUInt32LE(p + 24),
          localHeaderOffset: dir.readUInt32LE(p + 42),
          name: dir.toString('utf8', p + 46, p + 46 + nameLen),
        });
        p += 46 + nameLen + extraLen + commentLen;
      }
      return new ZipReader(path, entries);
    } finally {
      await fh.close();
    }
  }

  /** The uncompressed bytes of one entry. */
  async read(entry: ZipEntry): Promise<Buffer> {
    const fh = await open(this.path, 'r');
    try {
      const header = Buffer.alloc(30);
      await fh.read(header, 0, 30, entry.localHeaderOffset);
      if (header.readUInt32LE(0) !== LOCAL) {
        throw new InputError(`corrupt zip entry ${entry.name}`, { file: this.path });
      }
      const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      const data = Buffer.alloc(entry.compressedSize);
      await fh.read(data, 0, data.length, start);
      if (entry.method === 0) return data;
      if (entry.method === 8) return inflateRawSync(data);
      throw new InputError(`zip entry ${entry.name} uses unsupported compression method ${entry.method}`, {
        file: this.path,
      });
    } finally {
      await fh.close();
    }
  }
}
