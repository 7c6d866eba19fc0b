import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convergence, type RewardWindowInput } from '../../../src/analyses/convergence/convergence.ts';
import { convergenceTable } from '../../../src/analyses/convergence/convergence-table.ts';

// steps 0, 10, …, 100 of 64 rollouts each, as a trainer that logs every tenth step; rewards without classification
function stepWindow(k: number, variance: number, low: number): RewardWindowInput {
  return {
    index: k * 10,
    from: k * 64 + 1,
    to: (k + 1) * 64,
    n: 64,
    sessions: 64,
    lastSession: (k + 1) * 64,
    mean: 0.8,
    variance,
    low,
    high: 64 - low,
    lastLowSession: low > 0 ? k * 64 + 21 : null,
    compliantN: 0,
    compliantMean: null,
    nonCompliantN: 0,
    nonCompliantMean: null,
  };
}

test('a step-windowed table names windows, change points, phases and the last low reward by step', () => {
  const variances = [0.2, 0.19, 0.21, 0.2, 0.001, 0.001, 0.0012, 0.001, 0.0011, 0.001, 0.001];
  const windows = variances.map((v, k) => stepWindow(k, v, v > 0.1 ? 20 : 0));
  const r = {
    run: 'r',
    window: { by: 'step' } as const,
    ...convergence({ reward: 'baseline_reward', threshold: { value: 0.5, rule: 'default' }, windows }),
  };
  let out = '';
  convergenceTable(r, (t) => {
    out += t;
  });
  assert.match(out, /^step 100 {2}64/m);
  assert.match(
    out,
    /change points of the variance series \(last step of the left segment\): .*step 30 \(session 256\)$/m,
  );
  assert.match(out, /^phase noise: steps 0–30 \(4 windows/m);
  assert.match(out, /^phase convergence: steps 40–100 \(7 windows/m);
  assert.match(out, /^last low reward: step 30 \(session 213\)$/m);
  // no classification: the compliant / non-compliant / gap columns are empty in every row and left out
  assert.match(out, /^window +n +mean +variance +low +high:low\n/m);
});
