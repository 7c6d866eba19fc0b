import type { SourceItem } from '../source-item.ts';
import { ZipReader } from './eval-zip.ts';
import { readJsonDocument } from './json-document.ts';
import { messageText } from './row-values.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * One Inspect sample as a flat rollout row: `id`, `epoch`, `input` and `output` as text, `target`,
 * `scores` as {scorer: value} (a scorer with several values becomes `scorer.key`), `model`, `metadata` and
 * the sample's error/timing. The transcript (`messages`, `events`, `attachments`, `store`) is left out:
 * it can be many times the size of the output and the record has no field for it.
 */
export function inspectSampleRow(sample: unknown): unknown {
  if (!isObject(sample)) return sample;
  const output = isObject(sample.output) ? sample.output : {};
  const choice = Array.isArray(output.choices) && isObject(output.choices[0]) ? output.choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const text = message.content !== undefined ? messageText(message.content) : (output.completion ?? '');
  const scores: Record<string, unknown> = {};
  for (const [name, score] of Object.entries(isObject(sample.scores) ? sample.scores : {})) {
    const value = isObject(score) ? score.value : score;
    if (isObject(value)) for (const [k, v] of Object.entries(value)) scores[`${name}.${k}`] = v;
    else scores[name] = value;
  }
  const row: Record<string, unknown> = {
    id: sample.id,
    epoch: sample.epoch,
    input: messageText(sample.input),
    output: text,
    target: sample.target,
    scores,
  };
  for (const key of ['metadata', 'error', 'total_time', 'working_time']) {
    if (sample[key] !== undefined && sample[key] !== null) row[key] = sample[key];
  }
  if (typeof output.model === 'string') row.model = output.model;
  return row;
}

/** The samples of an Inspect `.json` log (in memory: JSON logs are whole documents). */
export async function* readInspectJson(
  path: string,
  bytes: number,
  batchRows: number,
): AsyncGenerator<SourceItem[]> {
  const doc = (await readJsonDocument(path, bytes)) as { samples?: unknown[] };
  const samples = Array.isArray(doc.samples) ? doc.samples : [];
  for (let i = 0; i < samples.length; i += batchRows) {
    yield samples
      .slice(i, i + batchRows)
      .map((s, j) => ({ kind: 'row', line: i + j + 1, value: inspectSampleRow(s) }));
  }
}

/**
 * The samples of an Inspect `.eval` archive: one zip entry per sample under `samples/`, read one at a time
 * in archive order. The "line" of a sample is its 1-based position among the sample entries.
 */
export async function* readInspectEval(path: string, batchRows: number): AsyncGenerator<SourceItem[]> {
  const zip = await ZipReader.open(path);
  const entries = zip.entries.filter((e) => /^samples\/[^/]+\.json$/.test(e.name));
  let batch: SourceItem[] = [];
  let line = 0;
  for (const entry of entries) {
    line++;
    const bytes = await zip.read(entry);
    try {
      batch.push({ kind: 'row', line, value: inspectSampleRow(JSON.parse(bytes.toString('utf8'))) });
    } catch (err) {
      batch.push({
        kind: 'unreadable',
        line,
        field: '(line)',
        expected: `valid JSON in ${entry.name}`,
        got: (err as Error).message,
      });
    }
    if (batch.length >= batchRows) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Whether a zip archive looks like an Inspect `.eval` log (it has `samples/…json` or `header.json`). */
export async function isInspectArchive(path: string): Promise<boolean> {
  const zip = await ZipReader.open(path);
  return zip.entries.some((e) => e.name === 'header.json' || /^samples\/[^/]+\.json$/.test(e.name));
}
