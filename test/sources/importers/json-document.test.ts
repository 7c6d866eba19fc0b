import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  documentRows,
  documentShape,
  looksLikeDocument,
} from '../../../src/sources/importers/json-document.ts';

describe('JSON documents (TRL JSON exports, W&B tables)', () => {
  const rows = [
    { step: 1, completion: 'a', reward: 1 },
    { step: 1, completion: 'b', reward: 0 },
  ];

  it('reads a records list, both pandas column layouts and a W&B table to the same rows', () => {
    assert.equal(documentShape(rows), 'records');
    assert.deepEqual(documentRows(rows, 'records'), rows);
    const lists = { step: [1, 1], completion: ['a', 'b'], reward: [1, 0] };
    assert.equal(documentShape(lists), 'columns');
    assert.deepEqual(documentRows(lists, 'columns'), rows);
    const indexed = { step: { 0: 1, 1: 1 }, completion: { 1: 'b', 0: 'a' }, reward: { 0: 1, 1: 0 } };
    assert.equal(documentShape(indexed), 'columns');
    assert.deepEqual(documentRows(indexed, 'columns'), rows);
    const table = {
      _type: 'table',
      columns: ['step', 'completion', 'reward'],
      data: [
        [1, 'a', 1],
        [1, 'b', 0],
      ],
    };
    assert.equal(documentShape(table), 'wandb-table');
    assert.deepEqual(documentRows(table, 'wandb-table'), rows);
  });

  it('tells a JSON document from JSONL by its first line', () => {
    assert.equal(looksLikeDocument('[\n{"a":1}', false), true);
    assert.equal(looksLikeDocument('{\n  "columns": [', false), true);
    assert.equal(looksLikeDocument('{"session":1,"output":"x"}\n{"session":2,"output":"y"}\n', true), false);
    assert.equal(looksLikeDocument('{"columns":["a"],"data":[[1]]}\n', true), true);
    assert.equal(looksLikeDocument('{"session":1,"output":"x"}', true), false);
  });
});
