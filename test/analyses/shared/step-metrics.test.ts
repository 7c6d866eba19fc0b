import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pivotStepMetrics, runMetricSeries } from '../../../src/analyses/shared/step-metrics.ts';

/** Steps 0–20: train metrics every step from 1, eval metrics every 10 steps (as GRPO demo logs do). */
function metrics() {
  const out: { step: number; name: string; value: number }[] = [];
  for (let s = 0; s <= 20; s++) {
    if (s > 0)
      out.push(
        { step: s, name: 'train_reward', value: 0.5 + s / 50 },
        { step: s, name: 'kl', value: s / 100 },
      );
    if (s % 10 === 0) out.push({ step: s, name: 'eval_distinct_2', value: s === 0 ? 0.99 : 1 });
  }
  return out;
}

describe('step metrics', () => {
  test('pivot: one row per step, names sorted, null where a step did not log a metric', () => {
    const t = pivotStepMetrics(metrics());
    assert.deepEqual(t.names, ['eval_distinct_2', 'kl', 'train_reward']);
    assert.equal(t.rows.length, 21);
    assert.deepEqual(t.rows[0], { step: 0, values: [0.99, null, null] });
    assert.deepEqual(t.rows[10], { step: 10, values: [1, 0.1, 0.7] });
  });
  test('pivot restricted to steps and names, in the order given', () => {
    const t = pivotStepMetrics(metrics(), { steps: [20, 5, 99], names: ['train_reward', 'kl'] });
    assert.deepEqual(t.rows, [
      { step: 20, values: [0.9, 0.2] },
      { step: 5, values: [0.6, 0.05] },
      { step: 99, values: [null, null] },
    ]);
  });
  test('runMetricSeries keeps the diversity metrics present at the window steps', () => {
    const [d, ...rest] = runMetricSeries(metrics(), [0, 10, 20]);
    assert.equal(rest.length, 0);
    assert.equal(d!.name, 'eval_distinct_2');
    assert.deepEqual(d!.first, { step: 0, value: 0.99 });
    assert.deepEqual(d!.last, { step: 20, value: 1 });
    assert.deepEqual(runMetricSeries(metrics(), [5, 15]), []);
    assert.deepEqual(
      runMetricSeries(metrics(), [5, 15], /^kl$/).map((s) => s.values),
      [
        [
          { step: 5, value: 0.05 },
          { step: 15, value: 0.15 },
        ],
      ],
    );
  });
});
