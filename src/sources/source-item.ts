/** What a reader yields for each record-bearing line (or row) of an input file. */
export type SourceItem =
  /** A parsed row, not yet validated against the record format. */
  | { readonly kind: 'row'; readonly line: number; readonly value: unknown }
  /** A line that could not be parsed at all (bad JSON, bad UTF-8, too long, …). */
  | {
      readonly kind: 'unreadable';
      readonly line: number;
      readonly field: string;
      readonly expected: string;
      readonly got: string;
    };

/** Called with bytes read so far (of the file as stored, i.e. compressed bytes for .gz). */
export type ProgressFn = (bytesRead: number) => void;

export interface ReadOptions {
  /** Lines longer than this are rejected without being held in memory. */
  readonly maxLineBytes: number;
  readonly onProgress?: ProgressFn;
  /** Rows per yielded batch. */
  readonly batchRows: number;
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
