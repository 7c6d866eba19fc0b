import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspectText } from '../../../src/sources/importers/inspect-content.ts';
import {
  compareSampleKeys,
  inspectSampleRow,
  sampleEntries,
} from '../../../src/sources/importers/inspect-log.ts';
import { inspectMixedSample } from '../../fixtures/importers/build.ts';

describe('inspectText (Inspect chat content)', () => {
  it('keeps plain strings and text-only content as they are', () => {
    assert.deepEqual(inspectText('Hello'), { text: 'Hello', counts: {}, reasoning: [], parts: [] });
    const t = inspectText([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
    ]);
    assert.deepEqual(t, { text: 'a\nb', counts: { text: 2 }, reasoning: [], parts: [] });
  });

  it('joins messages with a blank line, puts placeholders for media and tool calls, keeps reasoning apart', () => {
    const row = inspectSampleRow(inspectMixedSample(7), { model: 'mockllm/model' }) as Record<
      string,
      unknown
    >;
    assert.equal(row.input, 'You describe charts.\n\nDescribe this chart.\n[image]\n[audio]');
    assert.equal(row.output, 'A rising line.\nIt peaks in May.\n[tool call: zoom]');
    assert.equal(row.reasoning, 'The line goes up. Keep it short.');
    assert.deepEqual(row.content_parts, {
      prompt: { text: 1, image: 1, audio: 1 },
      output: { reasoning: 2, reasoning_redacted: 1, text: 2, tool_call: 1 },
    });
    const [image, audio] = row.prompt_parts as Record<string, unknown>[];
    assert.equal(image!.type, 'image');
    assert.match(String(image!.image), /^data:image\/png \(\d+ chars, not kept\)$/);
    assert.equal(image!.detail, 'auto');
    assert.deepEqual(audio, { type: 'audio', audio: 'attachment://a1', format: 'wav' });
    assert.deepEqual(row.output_parts, [
      { type: 'tool_call', id: 'c1', function: 'zoom', arguments: { factor: 2 } },
    ]);
    assert.equal(row.model, 'mockllm/model', 'the model is the log’s eval.model');
    assert.equal(
      row.output_model,
      'mockllm/model-2025',
      'the output’s own model name is kept when it differs',
    );
    assert.equal(row.attachments, undefined, 'the transcript and attachments are not kept');
  });

  it('passes a shape that is not text on unchanged, for validation to reject', () => {
    assert.equal(inspectText(42), null);
    assert.equal(inspectText([{ role: 'user', content: 42 }]), null);
    const row = inspectSampleRow({ id: 1, epoch: 1, input: { oops: true }, output: {} }) as Record<
      string,
      unknown
    >;
    assert.deepEqual(row.input, { oops: true });
    assert.equal(row.output, '');
  });
});

describe('Inspect sample order', () => {
  it('orders by epoch, then sample id: digit ids by number before other ids', () => {
    const keys = [
      { id: 'b', epoch: 1 },
      { id: '10', epoch: 1 },
      { id: '2', epoch: 2 },
      { id: '2', epoch: 1 },
      { id: 'a', epoch: 1 },
      { id: '007', epoch: 1 },
    ];
    assert.deepEqual(
      [...keys].sort(compareSampleKeys).map((k) => `${k.id}/${k.epoch}`),
      ['2/1', '007/1', '10/1', 'a/1', 'b/1', '2/2'],
    );
  });

  it('orders the sample entries of an archive by their names, whatever order the archive has', () => {
    const entry = (name: string) => ({ name, method: 93, compressedSize: 1, size: 1, crc32: 0 });
    const names = [
      'header.json',
      'samples/10_epoch_1.json',
      'samples/q_a_epoch_1.json',
      'samples/2_epoch_2.json',
      'samples/2_epoch_1.json',
      '_journal/start.json',
      'samples/odd.json',
    ];
    assert.deepEqual(
      sampleEntries(names.map(entry)).map((e) => e.name),
      [
        'samples/2_epoch_1.json',
        'samples/10_epoch_1.json',
        'samples/q_a_epoch_1.json',
        'samples/2_epoch_2.json',
        'samples/odd.json',
      ],
    );
  });
});
