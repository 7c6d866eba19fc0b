import { statSync } from 'node:fs';

/**
 * The version of a DuckDB database file as the dashboard sees it: the size, modification time and inode of the
 * file and of its write-ahead log. Any write by another process (`ingest`, `watch`, `audit`) changes one of
 * them, so an answer computed under one version is the answer of the database for as long as the version is
 * the same. A file that cannot be read has the version `missing`, which no answer is ever stored under.
 */
export function duckDbFileVersion(path: string): () => string {
  const part = (p: string) => {
    try {
      const s = statSync(p, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch {
      return '-';
    }
  };
  return () => {
    const db = part(path);
    return db === '-' ? MISSING : `${db}|${part(`${path}.wal`)}`;
  };
}

const MISSING = 'missing';

interface Entry {
  readonly version: string;
  readonly value: Promise<unknown>;
  bytes: number;
}

export interface ResponseCacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
}

/**
 * The dashboard's answers to reads that depend on the database alone (a run's counts, its curves, the last
 * audit's findings and charts, the session index), kept while the database file is unchanged: a page opened
 * again — or opened first after the server prepared it at start (`warm`) — is answered without opening the
 * database. Checked against the file's version on every request, so an answer is never older than the file;
 * bounded by `maxBytes` of JSON (least recently used first out); failed computations are not kept.
 */
export class ResponseCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  /**
   * `version` is the store's current version: synchronous for a DuckDB file (its stat), a promise for a store
   * that must be asked (ClickHouse: src/store/clickhouse/store-version.ts); null, or a failure to tell, keeps
   * nothing (every answer is computed).
   */
  constructor(
    private readonly version: () => string | null | Promise<string | null>,
    private readonly maxBytes = 32 * 2 ** 20,
  ) {}

  /** The answer of `key` under the database's current version: the kept one, or `compute`'s, then kept. */
  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const v = this.version();
    if (v === null || typeof v === 'string') return this.getAt(v ?? MISSING, key, compute);
    return v.then(
      (version) => this.getAt(version ?? MISSING, key, compute),
      () => this.getAt(MISSING, key, compute),
    );
  }

  private getAt<T>(version: string, key: string, compute: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.version === version) {
      this.hits += 1;
      // most recently used last
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    this.misses += 1;
    if (hit) this.drop(key, hit);
    const value = compute();
    if (version === MISSING) return value;
    const entry: Entry = { version, value, bytes: 0 };
    this.entries.set(key, entry);
    value.then(
      (v) => {
        if (this.entries.get(key) !== entry) return;
        entry.bytes = key.length + (JSON.stringify(v)?.length ?? 0);
        this.bytes += entry.bytes;
        this.evict();
      },
      () => {
        if (this.entries.get(key) === entry) this.drop(key, entry);
      },
    );
    return value;
  }

  stats(): ResponseCacheStats {
    return { entries: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses };
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      this.drop(key, entry);
    }
  }
}
