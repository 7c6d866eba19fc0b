import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseWindows } from '../../../src/analyses/shared/window-rule.ts';

const grpo = { sessions: 704, withStep: 704, steps: 11 };
const wild7 = { sessions: 12_847, withStep: 0, steps: 0 };

describe('chooseWindows, the one windowing rule', () => {
  it('windows a run that records training steps by step, and says why', () => {
    const c = chooseWindows(grpo, {});
    assert.deepEqual(c.window, { by: 'step' });
    assert.equal(c.rule, 'by training step: 704 sessions in 11 steps (64 per step on average)');
  });

  it('windows a run without steps in 500-session windows, or the template size', () => {
    assert.deepEqual(chooseWindows(wild7, {}).window, { by: 'session', size: 500 });
    assert.match(chooseWindows(wild7, {}).rule, /the run records no training steps/);
    assert.deepEqual(chooseWindows(wild7, {}, { size: 250 }).window, { by: 'session', size: 250 });
  });

  it('keeps session windows when too few sessions carry a step or steps hold too few sessions', () => {
    assert.match(chooseWindows({ sessions: 1000, withStep: 800, steps: 10 }, {}).rule, /only 800 of 1,000/);
    assert.match(
      chooseWindows({ sessions: 1000, withStep: 1000, steps: 500 }, {}).rule,
      /2\.0 sessions on average/,
    );
    assert.deepEqual(chooseWindows({ sessions: 1000, withStep: 1000, steps: 1 }, {}).window.by, 'session');
  });

  it('lets the flags win over the template, and the template over the run', () => {
    assert.deepEqual(chooseWindows(grpo, { size: 100 }).window, { by: 'session', size: 100 });
    assert.deepEqual(chooseWindows(grpo, { by: 'session' }, { size: 64 }).window, {
      by: 'session',
      size: 64,
    });
    assert.deepEqual(chooseWindows(wild7, { by: 'step' }).window, { by: 'step' });
    assert.deepEqual(chooseWindows(grpo, {}, { by: 'session' }).window, { by: 'session', size: 500 });
  });
});
