import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  eventHorizon,
  eventOrigin,
  eventWindows,
  parseHorizons,
} from '../../../src/analyses/shared/event-window.ts';

describe('the one before/after convention', () => {
  test("before is the h sessions up to t − 1 and after the h sessions from t + 1: the event's session is in neither", () => {
    assert.deepEqual(eventWindows(4846, 300), {
      before: { from: 4546, to: 4845 },
      after: { from: 4847, to: 5146 },
    });
    assert.deepEqual(eventWindows(100, 300).before, { from: 1, to: 99 }, 'clipped at session 1');
  });

  test('the horizon is an entry naming the event, else the protocol’s recorded in the event, else the default', () => {
    const spec = parseHorizons('250,e-3:400,2500:450', 500);
    const protocol = { id: 'e-3', session: 4846, trigger: { rule: 'recurrence', horizon: 300 } };
    assert.deepEqual(eventHorizon(spec, protocol), { horizon: 400, source: 'event entry' });
    assert.deepEqual(eventHorizon(spec, { ...protocol, id: 'e-4' }), { horizon: 300, source: 'protocol' });
    assert.deepEqual(
      eventHorizon(parseHorizons('250', 500), protocol),
      { horizon: 300, source: 'protocol' },
      'a blanket default does not override the protocol',
    );
    assert.deepEqual(eventHorizon(spec, { id: 'e-1', session: 2500, trigger: null }), {
      horizon: 450,
      source: 'event entry',
    });
    assert.deepEqual(eventHorizon(spec, { id: 'e-9', session: 9 }), { horizon: 250, source: 'default' });
    assert.deepEqual(
      eventHorizon(spec, { id: 'e-9', session: 9, trigger: { rule: 'schedule', horizon: 0 } }),
      { horizon: 250, source: 'default' },
      'a horizon below 1 is not a horizon',
    );
  });

  test('an event triggered by a rule reading the outputs is endogenous; a scheduled one is not', () => {
    assert.equal(eventOrigin({ kind: 'recalibration', trigger: { rule: 'recurrence' } }).endogenous, true);
    assert.equal(eventOrigin({ kind: 'recalibration', trigger: null }).endogenous, true);
    assert.equal(
      eventOrigin({ kind: 'scheduled_adjustment', trigger: { rule: 'threshold' } }).endogenous,
      true,
      'any rule other than the schedule reads the outputs',
    );
    assert.equal(
      eventOrigin({ kind: 'scheduled_adjustment', trigger: { rule: 'schedule' } }).endogenous,
      false,
    );
    assert.equal(eventOrigin({ kind: 'scheduled_adjustment', trigger: null }).endogenous, false);
    assert.match(eventOrigin({ kind: 'recalibration', trigger: { rule: 'recurrence' } }).reason, /selected/);
  });
});
