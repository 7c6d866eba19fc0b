import type { SourceItem } from '../source-item.ts';

/** One input of a merge: a file's items in file order, and how to read a row's step. */
export interface MergeInput {
  readonly batches: AsyncIterator<SourceItem[]>;
  /** The row's step, or null when it has none (the row then keeps its place after its file's last step). */
  stepOf(row: unknown): number | null;
}

/** An item of the merged stream: which input (its index) it came from. */
export interface MergedItem {
  readonly input: number;
  readonly item: SourceItem;
}

interface Head {
  buffer: SourceItem[];
  at: number;
  done: boolean;
  /** The merge step of the last row read: a row without a step sorts with it. */
  lastStep: number;
  /** The merge step of the row at `buffer[at]`, once read. */
  step: number | null;
}

/**
 * Merges files that each hold several steps (one trainer rank per file) into one stream in step order:
 * all rows of the smallest pending step, input by input (inputs in the order given: rank order), each
 * input's rows in file order; then the next step. Each input is expected in step order, as a trainer writes
 * it; a step that goes down inside an input is emitted where it is found, so the ingest's restart rule sees
 * it. Lines that could not be parsed are emitted as soon as they are reached (they carry no step). Memory is
 * bounded by one batch per input; chunks of about `chunkRows` items are yielded.
 *
 * @example
 * // rank0: steps 1,1,2 · rank1: steps 1,2,2 → 1(r0) 1(r0) 1(r1) 2(r0) 2(r1) 2(r1)
 */
export async function* mergeByStep(
  inputs: readonly MergeInput[],
  chunkRows: number,
): AsyncGenerator<MergedItem[]> {
  const heads: Head[] = inputs.map(() => ({
    buffer: [],
    at: 0,
    done: false,
    lastStep: Number.NEGATIVE_INFINITY,
    step: null,
  }));
  let out: MergedItem[] = [];

  /** Moves input `i` to its next row (emitting unreadable lines on the way); false when it has no more. */
  const settle = async (i: number): Promise<boolean> => {
    const h = heads[i]!;
    for (;;) {
      if (h.at >= h.buffer.length) {
        if (h.done) return false;
        const next = await inputs[i]!.batches.next();
        if (next.done) {
          h.done = true;
          return false;
        }
        h.buffer = next.value;
        h.at = 0;
        continue;
      }
      const item = h.buffer[h.at]!;
      if (item.kind === 'row') {
        if (h.step === null) {
          const s = inputs[i]!.stepOf(item.value);
          h.step = s ?? h.lastStep;
          h.lastStep = h.step;
        }
        return true;
      }
      out.push({ input: i, item });
      h.at++;
    }
  };

  for (;;) {
    let smallest: number | null = null;
    for (let i = 0; i < heads.length; i++) {
      if ((await settle(i)) && (smallest === null || heads[i]!.step! < smallest)) smallest = heads[i]!.step;
    }
    if (smallest === null) break;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i]!;
      while ((await settle(i)) && h.step === smallest) {
        out.push({ input: i, item: h.buffer[h.at]! });
        h.at++;
        h.step = null;
        if (out.length >= chunkRows) {
          yield out;
          out = [];
        }
      }
    }
  }
  if (out.length > 0) yield out;
}
