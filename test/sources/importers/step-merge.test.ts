import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MergeInput, mergeByStep } from '../../../src/sources/importers/step-merge.ts';
import type { SourceItem } from '../../../src/sources/source-item.ts';

/** An input of rows `{step, tag}` (a step of null: no step) in batches of `batch`, lines from 1. */
function input(steps: readonly (number | null)[], tag: string, batch = 2): MergeInput {
  const items: SourceItem[] = steps.map((step, i) => ({
    kind: 'row',
    line: i + 1,
    value: step === null ? { tag: `${tag}${i + 1}` } : { step, tag: `${tag}${i + 1}` },
  }));
  async function* batches() {
    for (let i = 0; i < items.length; i += batch) yield items.slice(i, i + batch);
  }
  return {
    batches: batches(),
    stepOf: (row) => {
      const s = (row as { step?: unknown }).step;
      return typeof s === 'number' ? s : null;
    },
  };
}

async function merged(inputs: MergeInput[], chunk = 100): Promise<string[]> {
  const out: string[] = [];
  for await (const c of mergeByStep(inputs, chunk)) {
    for (const { item } of c) {
      out.push(item.kind === 'row' ? (item.value as { tag: string }).tag : `unreadable:${item.line}`);
    }
  }
  return out;
}

/** The order the merge promises, computed independently: sort by (step, input, line). */
function expectedOrder(ranks: readonly (readonly number[])[], tags: readonly string[]): string[] {
  const all = ranks.flatMap((steps, r) =>
    steps.map((step, i) => ({ step, r, i, tag: `${tags[r]}${i + 1}` })),
  );
  return all.sort((a, b) => a.step - b.step || a.r - b.r || a.i - b.i).map((x) => x.tag);
}

describe('mergeByStep', () => {
  it('emits every row of the smallest step, input by input in file order, before the next step', async () => {
    const ranks = [
      [1, 1, 2, 3, 3, 3],
      [1, 2, 2, 2, 3],
      [2, 3],
    ];
    const got = await merged(ranks.map((s, r) => input(s, `r${r}-`)));
    assert.deepEqual(got, expectedOrder(ranks, ['r0-', 'r1-', 'r2-']));
    assert.deepEqual(got.slice(0, 4), ['r0-1', 'r0-2', 'r1-1', 'r0-3']);
  });

  it('gives the same order whatever the chunk and batch sizes', async () => {
    const ranks = [
      [1, 1, 1, 2, 2, 4],
      [1, 3, 3, 4, 4],
    ];
    const want = expectedOrder(ranks, ['a', 'b']);
    for (const [chunk, batch] of [
      [1, 1],
      [2, 3],
      [5, 1],
      [100, 100],
    ] as const) {
      const got = await merged([input(ranks[0]!, 'a', batch), input(ranks[1]!, 'b', batch)], chunk);
      assert.deepEqual(got, want, `chunk ${chunk}, batch ${batch}`);
    }
  });

  it('keeps a row without a step in place after its file’s previous row, and a step that goes down where it is', async () => {
    const got = await merged([input([1, null, 2, 1], 'a'), input([1, 2], 'b')]);
    // a2 has no step: it sorts with a1 (step 1); a4 goes back to step 1 after step 2 was emitted
    assert.deepEqual(got, ['a1', 'a2', 'b1', 'a3', 'b2', 'a4']);
  });

  it('passes lines that could not be parsed through as soon as they are reached', async () => {
    const items: SourceItem[] = [
      { kind: 'row', line: 1, value: { step: 2, tag: 'a1' } },
      { kind: 'unreadable', line: 2, field: 'line', expected: 'JSON', got: '{' },
      { kind: 'row', line: 3, value: { step: 2, tag: 'a3' } },
    ];
    const a: MergeInput = {
      batches: (async function* () {
        yield items;
      })(),
      stepOf: (row) => (row as { step: number }).step,
    };
    const got = await merged([input([1], 'b'), a]);
    assert.deepEqual(got, ['b1', 'a1', 'unreadable:2', 'a3']);
  });
});
