import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type StoredStep, storedRuns } from '../../src/store/stored-runs.ts';

const step = (run: string, s: number | null, sessions: number[], indexes: (number | null)[]): StoredStep => ({
  run,
  step: s,
  sessions,
  indexes,
});

test('a run and its numbered parts are read, a run that only starts like a part is not', () => {
  const runs = storedRuns('grpo', [
    step('grpo', 1, [1, 2], [0, 1]),
    step('grpo-part2', 3, [1], [0]),
    step('grpo-partial', 1, [1], [0]),
    step('grpo-part', 1, [1], [0]),
  ]);
  assert.deepEqual(
    runs.map((r) => r.run),
    ['grpo', 'grpo-part2'],
  );
});

test('a step is matched by index only when every one of its sessions records one', () => {
  const [run] = storedRuns('r', [step('r', 1, [1, 2, 3], [2, 0, 1]), step('r', 2, [4, 5], [0, null])]);
  assert.deepEqual(
    [...run!.indexed!.entries()],
    [
      [
        1,
        new Map([
          [2, 1],
          [0, 2],
          [1, 3],
        ]),
      ],
    ],
  );
  assert.deepEqual(
    [...run!.steps.entries()],
    [
      [1, [1, 2, 3]],
      [2, [4, 5]],
    ],
  );
});

test('the last session is the highest of any step and the last step ignores sessions without one', () => {
  const [run] = storedRuns('r', [
    step('r', null, [90], [null]),
    step('r', 4, [1, 7], [0, 1]),
    step('r', 2, [8], [0]),
  ]);
  assert.equal(run!.lastSession, 90);
  assert.equal(run!.lastStep, 4);
  const [noSteps] = storedRuns('r', [step('r', null, [3, 5], [null, null])]);
  assert.equal(noSteps!.lastStep, null);
  assert.equal(noSteps!.lastSession, 5);
});

test('a run of half a million steps is read without spreading them into one call', () => {
  const n = 500_000;
  const steps = Array.from({ length: n }, (_, i) => step('long', i, [i + 1], [0]));
  const [run] = storedRuns('long', steps);
  assert.equal(run!.lastStep, n - 1);
  assert.equal(run!.lastSession, n);
  assert.throws(() => Math.max(...steps.map((s) => s.step!)), RangeError); // what the earlier code did
});
