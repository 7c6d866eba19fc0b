import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../../../src/model/errors.ts';
import { parseFieldMap } from '../../../src/sources/importers/field-map.ts';

describe('parseFieldMap (--map)', () => {
  it('maps the documented short names and the record field names onto record fields', () => {
    assert.deepEqual(
      parseFieldMap(
        'session=global_step,output=completion,baseline=reward_raw,adjusted=reward_used,category=label',
      ),
      {
        session: 'global_step',
        output: 'completion',
        baseline_reward: 'reward_raw',
        adjusted_reward: 'reward_used',
        category: 'label',
      },
    );
    assert.deepEqual(parseFieldMap(' prompt_id = group , baseline_reward=r '), {
      prompt_id: 'group',
      baseline_reward: 'r',
    });
  });

  it('names the valid targets when a target is unknown', () => {
    assert.throws(
      () => parseFieldMap('sesion=global_step'),
      (err: unknown) =>
        err instanceof InputError &&
        /unknown target 'sesion'/.test(err.message) &&
        /valid targets: run, session, step/.test(err.message),
    );
  });

  it('refuses malformed pairs, an empty map and a target mapped twice', () => {
    assert.throws(() => parseFieldMap('output'), /expected target=column/);
    assert.throws(() => parseFieldMap('output='), /expected target=column/);
    assert.throws(() => parseFieldMap(','), /--map is empty/);
    assert.throws(() => parseFieldMap('baseline=a,baseline_reward=b'), /mapped twice/);
  });
});
