import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';

/**
 * Compression ratio (Shaib et al. 2024, `cshaib/diversity` `compression_ratio`): UTF-8 bytes of the corpus
 * joined with a single space (as the reference does), divided by the bytes of its gzip encoding
 * (Node's `zlib.gzipSync`, deflate level 9, default window and memory level; 10-byte header without file
 * name, 8-byte trailer). Higher means more repetitive. Python's `gzip` writes the file name and mtime into
 * the header and zlib builds differ, so compare with the reference within ±2%. 0 for an empty corpus.
 *
 * @example compressionRatio(Array(100).fill('the same sentence again')) // ≫ 1
 */
export function compressionRatio(texts: readonly string[]): number {
  const raw = Buffer.from(texts.join(' '), 'utf8');
  if (raw.length === 0) return 0;
  return raw.length / gzipSync(raw, { level: 9 }).length;
}

const gzipAsync = promisify(gzip);

/**
 * {@link compressionRatio}, compressed on libuv's thread pool: the same bytes and so the same ratio, while
 * the calling thread goes on (the diversity analysis scores the next window meanwhile).
 *
 * @example await compressionRatioAsync(['a b', 'a b']) === compressionRatio(['a b', 'a b']) // true
 */
export async function compressionRatioAsync(texts: readonly string[]): Promise<number> {
  const raw = Buffer.from(texts.join(' '), 'utf8');
  if (raw.length === 0) return 0;
  return raw.length / (await gzipAsync(raw, { level: 9 })).length;
}
