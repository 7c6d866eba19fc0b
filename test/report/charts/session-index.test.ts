import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionIndexCell } from '../../../src/model/findings.ts';
import { rewardColor, rewardRange, sessionIndexSvg } from '../../../src/report/charts/session-index.ts';

const cell = (session: number, over: Partial<SessionIndexCell> = {}): SessionIndexCell => ({
  from: session,
  to: session,
  sessions: 1,
  nonCompliant: null,
  category: null,
  reward: session / 10,
  stepFrom: Math.floor((session - 1) / 4),
  stepTo: Math.floor((session - 1) / 4),
  flagged: false,
  events: [],
  ...over,
});

describe('the session index', () => {
  const cells = Array.from({ length: 10 }, (_, i) => cell(i + 1));

  it('colours cells by reward on a continuous scale from red (low) to green (high), with a legend', () => {
    assert.equal(rewardColor(0, 0, 1), 'rgb(215,48,39)');
    assert.equal(rewardColor(1, 0, 1), 'rgb(26,152,80)');
    assert.equal(rewardColor(0.5, 0, 1), 'rgb(254,224,139)');
    assert.deepEqual(rewardRange(cells), [0, 1]);
    assert.deepEqual(rewardRange([cell(1, { reward: -2 }), cell(2, { reward: 3 })]), [-2, 3]);
    const svg = sessionIndexSvg(cells, { title: 'idx', colour: 'reward', reward: 'baseline_reward' });
    assert.ok(svg.includes(`fill="${rewardColor(0.1, 0, 1)}"`));
    assert.match(svg, />baseline reward 0</);
    assert.doesNotMatch(svg, /unclassified|Cat 2/);
    assert.doesNotMatch(svg, /calibration event/, 'no event legend without events');
  });

  it('puts each training step on its own row, labelled with the step', () => {
    const svg = sessionIndexSvg(cells, { title: 'idx', colour: 'reward', rows: 'step' });
    assert.deepEqual(
      [...svg.matchAll(/>step (\d+)</g)].map((m) => Number(m[1])),
      [0, 1, 2],
    );
    assert.match(svg, /one row per training step/);
  });

  it('colours a classified run by classification and category, as before', () => {
    const classified = [cell(1, { nonCompliant: 0 }), cell(2, { nonCompliant: 1, category: '3' })];
    const svg = sessionIndexSvg(classified, { title: 'idx' });
    assert.ok(svg.includes('fill="#cfe3cf"') && svg.includes('fill="#c0392b"'));
    assert.match(svg, />Cat 3</);
  });
});
