import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseWindows, MAX_WINDOWS, sessionWindowCount } from '../../../src/analyses/shared/window-rule.ts';

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

describe('chooseWindows on a long run', () => {
  const run = (sessions: number, firstSession = 1) => ({
    sessions,
    withStep: 0,
    steps: 0,
    firstSession,
    lastSession: firstSession + sessions - 1,
  });

  it('keeps 500-session windows up to 2,000 windows (1M sessions)', () => {
    assert.deepEqual(chooseWindows(run(1_000_000), {}).window, { by: 'session', size: 500 });
    assert.doesNotMatch(chooseWindows(run(1_000_000), {}).rule, /at most/);
  });

  it('grows the windows to the smallest multiple of 500 that holds the run in 2,000 windows', () => {
    const ten = chooseWindows(run(10_000_000), {});
    assert.deepEqual(ten.window, { by: 'session', size: 5_000 });
    assert.equal(
      ten.rule,
      'windows of 5,000 sessions: the run records no training steps; 10,000,000 sessions in 2,000 windows (at most 2,000: 10 × the 500-session window)',
    );
    assert.deepEqual(chooseWindows(run(1_000_001), {}).window, { by: 'session', size: 1_000 });
    assert.deepEqual(chooseWindows(run(1_000_000_000), {}).window, { by: 'session', size: 500_000 });
  });

  it('counts the windows the session numbers span, not the sessions', () => {
    // 1M sessions from session 251: they straddle 2,001 windows of 500
    assert.equal(sessionWindowCount(251, 1_000_250, 500), 2_001);
    assert.deepEqual(chooseWindows(run(1_000_000, 251), {}).window, { by: 'session', size: 1_000 });
    for (const n of [1, 499, 500, 501, 999_999, 1_000_000, 3_333_333, 123_456_789]) {
      for (const first of [1, 2, 250, 500, 501]) {
        const c = chooseWindows(run(n, first), {}, { size: 500 });
        const size = (c.window as { size: number }).size;
        assert.equal(size % 500, 0);
        assert.ok(sessionWindowCount(first, first + n - 1, size) <= MAX_WINDOWS, `${n} from ${first}`);
        // the smallest such multiple
        if (size > 500) assert.ok(sessionWindowCount(first, first + n - 1, size - 500) > MAX_WINDOWS);
      }
    }
  });

  it('grows a template size and --by session alike, and never grows --window', () => {
    assert.deepEqual(chooseWindows(run(10_000_000), {}, { size: 300 }).window, {
      by: 'session',
      size: 5_100,
    });
    assert.deepEqual(chooseWindows(run(10_000_000), { by: 'session' }).window, {
      by: 'session',
      size: 5_000,
    });
    const exact = chooseWindows(run(10_000_000), { size: 500 });
    assert.deepEqual(exact.window, { by: 'session', size: 500 });
    assert.match(
      exact.warning ?? '',
      /--window 500 makes 20,000 windows .*\(without --window: 5,000-session windows, at most 2,000\)/,
    );
    assert.equal(chooseWindows(run(1_000_000), { size: 500 }).warning, undefined);
  });
});

describe('chooseWindows on a run of many steps', () => {
  const steps = (n: number) => ({
    sessions: n * 64,
    withStep: n * 64,
    steps: n,
    firstSession: 1,
    lastSession: n * 64,
  });

  it('windows by step up to 2,000 steps', () => {
    assert.deepEqual(chooseWindows(steps(2_000), {}).window, { by: 'step' });
  });

  it('windows a run of more steps by session, grown, and says why', () => {
    const c = chooseWindows(steps(156_250), {});
    assert.deepEqual(c.window, { by: 'session', size: 5_000 });
    assert.equal(
      c.rule,
      'windows of 5,000 sessions: 156,250 steps would be more than 2,000 windows; 10,000,000 sessions in 2,000 windows (at most 2,000: 10 × the 500-session window)',
    );
    assert.deepEqual(chooseWindows(steps(2_001), {}).window, { by: 'session', size: 500 });
  });

  it('takes --by step as asked, with a warning past 2,000 steps', () => {
    const c = chooseWindows(steps(156_250), { by: 'step' });
    assert.deepEqual(c.window, { by: 'step' });
    assert.match(c.warning ?? '', /--by step makes 156,250 windows, one per step/);
    assert.equal(chooseWindows(steps(11), { by: 'step' }).warning, undefined);
  });
});
