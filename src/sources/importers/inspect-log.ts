import type { SourceItem } from '../source-item.ts';
import { type ZipEntry, ZipReader } from './eval-zip.ts';
import { hasNonText, type InspectText, inspectText } from './inspect-content.ts';
import { readJsonDocument } from './json-document.ts';
import { describeNonFinite, type NonFiniteValue, parseJsonWithNonFinite } from './non-finite-json.ts';

/** Called with a warning about the file being read (e.g. NaN read as null). */
export type WarnFn = (file: string, message: string) => void;

/** What a sample row takes from the log beside the sample: the evaluated model (`eval.model`). */
export interface InspectLogContext {
  readonly model: string | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Sample keys that hold the transcript, which the record does not keep (see `inspectSampleRow`). */
const TRANSCRIPT_KEYS: ReadonlySet<string> = new Set(['messages', 'events', 'attachments', 'store']);

/**
 * One Inspect sample as a flat rollout row: `id`, `epoch`, `input` and `output` as text (content parts:
 * inspect-content.ts), `target`, `scores` as {scorer: value} (a scorer with several values becomes
 * `scorer.key`), `model` (the log's `eval.model`), `metadata`, the sample's error/timing, and what was not
 * text: `reasoning` (the output's reasoning), `prompt_reasoning`, `content_parts` (parts per kind),
 * `prompt_parts`/`output_parts` (the non-text parts). The transcript (`messages`, `events`, `attachments`,
 * `store`) is left out: it can be many times the size of the output and the record has no field for it.
 */
export function inspectSampleRow(sample: unknown, context: InspectLogContext = { model: null }): unknown {
  if (!isObject(sample)) return sample;
  const attachments = isObject(sample.attachments) ? sample.attachments : {};
  const output = isObject(sample.output) ? sample.output : {};
  const choice = Array.isArray(output.choices) && isObject(output.choices[0]) ? output.choices[0] : {};
  const message = isObject(choice.message) ? choice.message : undefined;
  const rawOutput = message ?? output.completion ?? '';
  const prompt = inspectText(sample.input, attachments);
  const completion = inspectText(rawOutput, attachments);
  const scores: Record<string, unknown> = {};
  for (const [name, score] of Object.entries(isObject(sample.scores) ? sample.scores : {})) {
    const value = isObject(score) ? score.value : score;
    if (isObject(value)) for (const [k, v] of Object.entries(value)) scores[`${name}.${k}`] = v;
    else scores[name] = value;
  }
  const row: Record<string, unknown> = {
    id: sample.id,
    epoch: sample.epoch,
    // a shape that is no text is passed on as it is: validation rejects it naming the field
    input: prompt?.text ?? sample.input,
    output: completion?.text ?? rawOutput,
    target: sample.target,
    scores,
  };
  addNonText(row, prompt, completion);
  for (const key of ['metadata', 'error', 'total_time', 'working_time']) {
    if (sample[key] !== undefined && sample[key] !== null) row[key] = sample[key];
  }
  const outputModel = typeof output.model === 'string' ? output.model : null;
  const model = context.model ?? outputModel;
  if (model !== null) row.model = model;
  if (outputModel !== null && outputModel !== model) row.output_model = outputModel;
  return row;
}

function addNonText(
  row: Record<string, unknown>,
  prompt: InspectText | null,
  output: InspectText | null,
): void {
  if (output !== null && output.reasoning.length > 0) row.reasoning = output.reasoning.join('\n\n');
  if (prompt !== null && prompt.reasoning.length > 0) row.prompt_reasoning = prompt.reasoning.join('\n\n');
  const counts: Record<string, unknown> = {};
  if (prompt !== null && hasNonText(prompt)) counts.prompt = prompt.counts;
  if (output !== null && hasNonText(output)) counts.output = output.counts;
  if (Object.keys(counts).length > 0) row.content_parts = counts;
  if (prompt !== null && prompt.parts.length > 0) row.prompt_parts = prompt.parts;
  if (output !== null && output.parts.length > 0) row.output_parts = output.parts;
}

/**
 * The order of an Inspect log's samples, hence of their session numbers: by epoch, then by sample id
 * (ids of digits by number, before other ids, which go by code units) — Inspect's own order of samples
 * in a log. The same in `.json` and `.eval` logs, whatever order the archive holds the samples in.
 */
export function compareSampleKeys(
  a: { readonly id: string; readonly epoch: number },
  b: { readonly id: string; readonly epoch: number },
): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  const an = /^\d+$/.test(a.id);
  const bn = /^\d+$/.test(b.id);
  if (an !== bn) return an ? -1 : 1;
  if (an) {
    const x = a.id.replace(/^0+(?=\d)/, '');
    const y = b.id.replace(/^0+(?=\d)/, '');
    if (x.length !== y.length) return x.length - y.length;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function sampleKey(sample: unknown): { id: string; epoch: number } {
  const s = isObject(sample) ? sample : {};
  const epoch = typeof s.epoch === 'number' && Number.isFinite(s.epoch) ? s.epoch : Number.MAX_SAFE_INTEGER;
  return { id: s.id === undefined ? '' : String(s.id), epoch };
}

const SAMPLE_ENTRY = /^samples\/(.+)_epoch_(\d+)\.json$/;

/** Sample entries of an `.eval` archive in sample order (name `samples/<id>_epoch_<epoch>.json`). */
export function sampleEntries(entries: readonly ZipEntry[]): ZipEntry[] {
  const keyed = entries
    .filter((e) => /^samples\/[^/]+\.json$/.test(e.name))
    .map((e) => {
      const m = SAMPLE_ENTRY.exec(e.name);
      return {
        e,
        key: m ? { id: m[1]!, epoch: Number(m[2]) } : { id: e.name, epoch: Number.MAX_SAFE_INTEGER },
      };
    });
  keyed.sort((a, b) => compareSampleKeys(a.key, b.key) || (a.e.name < b.e.name ? -1 : 1));
  return keyed.map((k) => k.e);
}

/** The fields of a sample whose bare NaN/Infinity matter (the transcript is not kept). */
function keptNonFinite(values: readonly NonFiniteValue[]): NonFiniteValue[] {
  return values.filter((v) => !TRANSCRIPT_KEYS.has(v.path.split(/[.[]/, 1)[0]!));
}

function nonFiniteWarning(values: readonly { value: NonFiniteValue; where: string }[]): string {
  return (
    `${values.length} bare NaN/Infinity value${values.length === 1 ? '' : 's'} read as null ` +
    `(JSON has no such numbers; Inspect writes them): ${describeNonFinite(values)}`
  );
}

/** The model of an Inspect log header (`eval.model`), or null. */
export function logModel(header: unknown): string | null {
  const model = isObject(header) && isObject(header.eval) ? header.eval.model : undefined;
  return typeof model === 'string' && model.length > 0 ? model : null;
}

/**
 * The samples of an Inspect `.json` log (in memory: JSON logs are whole documents), in sample order
 * (`compareSampleKeys`); the "line" of a sample is its position in that order.
 */
export async function* readInspectJson(
  path: string,
  bytes: number,
  batchRows: number,
  warn: WarnFn = () => undefined,
): AsyncGenerator<SourceItem[]> {
  const { value: doc, nonFinite } = await readJsonDocument(path, bytes);
  const all = isObject(doc) && Array.isArray(doc.samples) ? doc.samples : [];
  const order = all.map((s, i) => ({ s, i, key: sampleKey(s) }));
  order.sort((a, b) => compareSampleKeys(a.key, b.key) || a.i - b.i);
  const lineOf = new Map(order.map((o, k) => [o.i, k + 1]));
  const context = { model: logModel(doc) };
  for (let i = 0; i < order.length; i += batchRows) {
    yield order
      .slice(i, i + batchRows)
      .map((o, j) => ({ kind: 'row', line: i + j + 1, value: inspectSampleRow(o.s, context) }));
  }
  const found: { value: NonFiniteValue; where: string }[] = [];
  for (const v of nonFinite) {
    const m = /^samples\[(\d+)\]\.?(.*)$/.exec(v.path);
    if (m === null) continue; // outside the samples (results, stats): not ingested
    const inSample = { path: m[2]!, token: v.token };
    if (keptNonFinite([inSample]).length === 0) continue;
    found.push({ value: inSample, where: `sample ${lineOf.get(Number(m[1]))}` });
  }
  if (found.length > 0) warn(path, nonFiniteWarning(found));
}

/**
 * The samples of an Inspect `.eval` archive: one zip entry per sample, `samples/<id>_epoch_<epoch>.json`,
 * read one at a time in sample order (`sampleEntries`), whatever order the archive holds them in. The
 * "line" of a sample is its 1-based position in that order; an entry that cannot be decoded or parsed is
 * an unreadable line naming the entry.
 */
export async function* readInspectEval(
  path: string,
  batchRows: number,
  warn: WarnFn = () => undefined,
): AsyncGenerator<SourceItem[]> {
  const zip = await ZipReader.open(path);
  try {
    const context = { model: await evalArchiveModel(zip) };
    const found: { value: NonFiniteValue; where: string }[] = [];
    let batch: SourceItem[] = [];
    let line = 0;
    for (const entry of sampleEntries(zip.entries)) {
      line++;
      batch.push(await readSampleEntry(zip, entry, line, context, found));
      if (batch.length >= batchRows) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    if (found.length > 0) warn(path, nonFiniteWarning(found));
  } finally {
    await zip.close();
  }
}

async function readSampleEntry(
  zip: ZipReader,
  entry: ZipEntry,
  line: number,
  context: InspectLogContext,
  found: { value: NonFiniteValue; where: string }[],
): Promise<SourceItem> {
  let text: string;
  try {
    text = (await zip.read(entry)).toString('utf8');
  } catch (err) {
    const method = entry.method === 93 ? 'zstd' : entry.method === 8 ? 'deflate' : `method ${entry.method}`;
    const got = (err as Error).message.replace(/^.*?zip entry [^:]*: /, '');
    return {
      kind: 'unreadable',
      line,
      field: '(line)',
      expected: `a readable ${method} zip entry ${entry.name}`,
      got,
    };
  }
  try {
    const { value, nonFinite } = parseJsonWithNonFinite(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    for (const v of keptNonFinite(nonFinite))
      found.push({ value: v, where: `sample ${line} (${entry.name})` });
    return { kind: 'row', line, value: inspectSampleRow(value, context) };
  } catch (err) {
    return {
      kind: 'unreadable',
      line,
      field: '(line)',
      expected: `valid JSON in ${entry.name}`,
      got: (err as Error).message,
    };
  }
}

/**
 * The evaluated model of an `.eval` archive: `eval.model` of `header.json`, or of `_journal/start.json`
 * while the eval is still running; null when neither is readable.
 */
export async function evalArchiveModel(zip: ZipReader): Promise<string | null> {
  for (const name of ['header.json', '_journal/start.json']) {
    const entry = zip.entries.find((e) => e.name === name);
    if (entry === undefined) continue;
    try {
      const model = logModel(parseJsonWithNonFinite((await zip.read(entry)).toString('utf8')).value);
      if (model !== null) return model;
    } catch {
      // an unreadable header leaves the model unknown; the samples are still read
    }
  }
  return null;
}

/** Whether a zip archive looks like an Inspect `.eval` log (it has `samples/…json` or `header.json`). */
export async function isInspectArchive(path: string): Promise<boolean> {
  const zip = await ZipReader.open(path);
  try {
    return zip.entries.some((e) => e.name === 'header.json' || /^samples\/[^/]+\.json$/.test(e.name));
  } finally {
    await zip.close();
  }
}

/** The model of an Inspect `.eval` archive (see `evalArchiveModel`), opening and closing it. */
export async function inspectArchiveModel(path: string): Promise<string | null> {
  const zip = await ZipReader.open(path);
  try {
    return await evalArchiveModel(zip);
  } finally {
    await zip.close();
  }
}
