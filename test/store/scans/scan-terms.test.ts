import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InputError } from '../../../src/model/errors.ts';
import type { RewardColumn } from '../../../src/store/scans/reward-scans.ts';
import { re2Checker, regexPattern, rewardColumn } from '../../../src/store/scans/scan-terms.ts';

describe('scan terms shared by both engines', () => {
  test('the reward column is an identifier from the closed set of two', () => {
    assert.deepEqual(rewardColumn('adjusted_reward').parts, [{ kind: 'ident', names: ['adjusted_reward'] }]);
    assert.deepEqual(rewardColumn('baseline_reward').parts, [{ kind: 'ident', names: ['baseline_reward'] }]);
  });

  test('a reward column outside the set, even an inherited property name, is refused', () => {
    for (const bad of ['output', 'constructor', '__proto__', 'adjusted_reward; DROP TABLE sessions']) {
      assert.throws(() => rewardColumn(bad as RewardColumn), RangeError, bad);
    }
  });

  test('a regex target is case-insensitive unless its flags say otherwise', () => {
    assert.equal(regexPattern({ regex: 'never\\s+again' }), '(?i)never\\s+again');
    assert.equal(regexPattern({ regex: 'a.b', flags: 'is' }), '(?is)a.b');
    assert.equal(regexPattern({ regex: 'Exact', flags: '' }), 'Exact');
  });

  test('regex flags other than i, m and s are the user’s error', () => {
    assert.throws(() => regexPattern({ regex: 'x', flags: 'g' }), InputError);
    assert.throws(() => regexPattern({ regex: 'x', flags: 'i)(?' }), InputError);
  });

  test('a checker compiles each pattern once per client and names the field and label of a refused one', async () => {
    const compiled: string[] = [];
    const check = re2Checker<{ name: string }>(
      async (_client, pattern) => {
        compiled.push(pattern);
        if (pattern.includes('(')) throw new Error('missing ): (\nsecond line');
      },
      (err) => (err as Error).message,
    );
    const a = { name: 'a' };
    const b = { name: 'b' };
    await check(a, 'ok', 'ok', { field: '--regex' });
    await check(a, 'ok', 'ok', { field: '--regex' });
    await check(b, 'ok', 'ok', { field: '--regex' });
    assert.deepEqual(compiled, ['ok', 'ok']);
    await assert.rejects(
      check(a, '(?i)(', '(', { field: 'regex', label: "an event's target.regex" }),
      (err: unknown) =>
        err instanceof InputError &&
        err.message.endsWith(
          `an event's target.regex: not a valid RE2 regular expression: "(" (missing ): ()`,
        ) &&
        err.field === 'regex',
    );
    // a refused pattern is not remembered as compiled: asking again asks the engine again
    await assert.rejects(check(a, '(?i)(', '(', { field: 'regex' }), InputError);
    assert.equal(compiled.filter((p) => p === '(?i)(').length, 2);
  });
});
