import { open } from 'node:fs/promises';
import { InputError } from '../../model/errors.ts';
import { RECORD_TYPES } from '../../model/schema.ts';
import { type DetectedFile, detectFormat } from '../detect-format.ts';
import { openRecords } from '../read-records.ts';
import { parseFieldMap } from './field-map.ts';
import { type ImportOptions, isCanonicalFormat } from './formats.ts';
import type { ImportContainer, ImportPlan } from './import-plan.ts';
import {
  inspectArchiveModel,
  inspectSampleRow,
  isInspectArchive,
  logModel,
  readInspectEval,
} from './inspect-log.ts';
import {
  documentNonFiniteWarning,
  documentRows,
  documentShape,
  looksLikeDocument,
  readJsonDocument,
} from './json-document.ts';
import { PRESETS, type Preset, presetForColumns } from './presets.ts';
import { rolloutMapping } from './rollout-mapping.ts';
import { looksLikeStepMetrics } from './step-metrics.ts';

const SAMPLE_ROWS = 50;
const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

async function readHead(path: string): Promise<{ head: Buffer; bytes: number } | null> {
  try {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const head = Buffer.alloc(Math.min(size, 64 * 1024));
      await fh.read(head, 0, head.length, 0);
      return { head, bytes: size };
    } finally {
      await fh.close();
    }
  } catch {
    return null; // detectFormat reports a missing or unreadable file with the canonical message
  }
}

async function sampleRows(file: DetectedFile, maxLineBytes: number): Promise<Record<string, unknown>[]> {
  const source = openRecords(file, { maxLineBytes, batchRows: SAMPLE_ROWS });
  const rows: Record<string, unknown>[] = [];
  try {
    for await (const batch of source.batches) {
      for (const item of batch) if (item.kind === 'row' && isObject(item.value)) rows.push(item.value);
      if (rows.length >= SAMPLE_ROWS) break;
    }
  } catch {
    // a read error surfaces again, with its line, when the file is ingested
  } finally {
    await source.batches.return(undefined);
  }
  return rows;
}

/**
 * Decides how to read one input file, before anything is written: its container (JSONL/CSV/Parquet, a
 * JSON document, an Inspect `.eval` archive), and whether it is record format v1 or another trainer's log
 * (by the columns of its first rows; docs/importers.md lists the rules). `options.format` overrides the
 * detection; `options.map` maps columns onto record fields.
 */
export async function planImport(
  path: string,
  options: ImportOptions & { readonly maxLineBytes: number },
): Promise<ImportPlan> {
  const forced = options.format;
  const map = options.map ? parseFieldMap(options.map) : undefined;
  const got = await readHead(path);
  const base = { path, bytes: got?.bytes ?? 0 };
  const isZip = got !== null && got.bytes > 0 && got.head.subarray(0, 4).equals(ZIP_MAGIC);
  if (isZip) return planEvalArchive(base, options, map);
  if (got !== null && /\.eval$/i.test(path) && !isCanonicalFormat(forced)) {
    const start = got.head.subarray(0, 16).toString('latin1');
    throw new InputError(
      `not a zip archive: an Inspect .eval log is a zip archive (expected its first bytes to be PK\\x03\\x04, ` +
        `got ${got.bytes === 0 ? 'an empty file' : JSON.stringify(start)})` +
        (start.trimStart().startsWith('{') ? '; if it is an Inspect JSON log, name it .json' : ''),
      { file: path },
    );
  }
  const isJsonName = /\.json$/i.test(path);
  if (got && got.bytes > 0 && isJsonName && !isCanonicalFormat(forced)) {
    const wholeFile = got.bytes <= got.head.length;
    if (looksLikeDocument(got.head.toString('utf8'), wholeFile)) return planDocument(base, options, map);
  }
  const file = await detectFormat(path, isCanonicalFormat(forced) ? forced : undefined);
  const container: ImportContainer = { kind: 'file', file };
  const fileBase = { ...base, bytes: file.bytes };
  const canonical = (): ImportPlan => ({
    ...fileBase,
    format: file.format,
    container,
    mapping: null,
    message: `record format v1 (${file.format})`,
  });
  if (isCanonicalFormat(forced) && map === undefined) return canonical();
  const rows = await sampleRows(file, options.maxLineBytes);
  const columns = columnsOf(rows);
  const textual = file.format === 'csv';
  if (
    forced === 'step-metrics' ||
    (forced === undefined && looksLikeStepMetrics(rows, map?.step ?? 'step'))
  ) {
    return metricsPlan(fileBase, container, columns, map?.step ?? 'step', textual);
  }
  if (forced === 'wandb' || forced === 'inspect') {
    throw new InputError(
      `--format ${forced} reads JSON documents (${forced === 'wandb' ? 'columns + data' : '.json or .eval logs'}), not ${file.format}`,
      { file: path },
    );
  }
  if (forced !== undefined && !isCanonicalFormat(forced)) {
    return withPreset(
      fileBase,
      container,
      PRESETS[forced],
      rows,
      `--format ${forced}`,
      options,
      map,
      textual,
    );
  }
  const isRecord = rows.some(
    (r) =>
      (typeof r.type === 'string' && (RECORD_TYPES as readonly string[]).includes(r.type)) || 'session' in r,
  );
  const found = presetForColumns(columns);
  if (map !== undefined) {
    const preset = found?.preset ?? PRESETS.generic;
    const why = found ? `detected ${found.preset.label} (columns ${found.because})` : 'generic table';
    return withPreset(fileBase, container, preset, rows, why, options, map, textual);
  }
  if (isRecord || found === null) {
    const plan = canonical();
    if (isRecord || rows.length === 0) return plan;
    return {
      ...plan,
      message:
        `no importer matched the columns (${[...columns].join(', ')}): read as record format v1 ` +
        '(see docs/importers.md for --format NAME and --map)',
    };
  }
  const why = `detected ${found.preset.label} (columns ${found.because})`;
  return withPreset(fileBase, container, found.preset, rows, why, options, map, textual);
}

/** An Inspect `.eval` archive: its samples (the first ones, for the mapping) and its model. */
async function planEvalArchive(
  base: { path: string; bytes: number },
  options: ImportOptions,
  map: ReturnType<typeof parseFieldMap> | undefined,
): Promise<ImportPlan> {
  const { path } = base;
  if (options.format !== undefined && options.format !== 'inspect') {
    throw new InputError(`is a zip archive, which only --format inspect (.eval logs) reads`, { file: path });
  }
  if (!(await isInspectArchive(path))) {
    throw new InputError('a zip archive without samples/*.json: not an Inspect .eval log', { file: path });
  }
  const model = await inspectArchiveModel(path);
  const sample: Record<string, unknown>[] = [];
  const samples = readInspectEval(path, SAMPLE_ROWS);
  for await (const batch of samples) {
    for (const item of batch) if (item.kind === 'row' && isObject(item.value)) sample.push(item.value);
    break;
  }
  await samples.return(undefined);
  const container: ImportContainer = { kind: 'inspect-eval', model };
  return withPreset(
    base,
    container,
    PRESETS.inspect,
    sample,
    detectedInspect('.eval archive', model),
    options,
    map,
  );
}

function detectedInspect(what: string, model: string | null): string {
  return `detected Inspect ${what}${model === null ? ' (no eval.model)' : ` of model ${model}`}`;
}

async function planDocument(
  base: { path: string; bytes: number },
  options: ImportOptions,
  map: ReturnType<typeof parseFieldMap> | undefined,
): Promise<ImportPlan> {
  const { value: doc, nonFinite } = await readJsonDocument(base.path, base.bytes);
  const shape = documentShape(doc);
  if (shape === null) {
    throw new InputError(
      'a JSON document that is not a table: expected a list of row objects, {column: [values]}, a W&B table ' +
        '({"columns": […], "data": […]}) or an Inspect log',
      { file: base.path },
    );
  }
  if (shape === 'inspect-log') {
    const model = logModel(doc);
    const container: ImportContainer = { kind: 'inspect-json', model };
    const sample = inspectSample(doc, model);
    return withPreset(
      base,
      container,
      PRESETS.inspect,
      sample,
      detectedInspect('.json log', model),
      options,
      map,
    );
  }
  const rows = documentRows(doc, shape);
  const sample = rows.slice(0, SAMPLE_ROWS).filter(isObject);
  const nonFiniteWarning = documentNonFiniteWarning(doc, shape, nonFinite);
  const container: ImportContainer = { kind: 'document', shape, rows, nonFiniteWarning };
  const where = shape === 'wandb-table' ? 'detected W&B table export' : `detected JSON ${shape} document`;
  const columns = columnsOf(sample);
  if (
    options.format === 'step-metrics' ||
    (options.format === undefined && looksLikeStepMetrics(sample, map?.step ?? 'step'))
  ) {
    return metricsPlan(base, container, columns, map?.step ?? 'step', false, where);
  }
  const forced = options.format;
  if (forced !== undefined && forced !== 'wandb' && !isCanonicalFormat(forced) && forced !== 'inspect') {
    return withPreset(base, container, PRESETS[forced], sample, `${where}, --format ${forced}`, options, map);
  }
  const found = presetForColumns(columns);
  const preset = found?.preset ?? PRESETS.generic;
  const why = found
    ? `${where} of ${found.preset.label} (columns ${found.because})`
    : `${where} (columns ${[...columns].join(', ')}) read as generic`;
  return withPreset(base, container, preset, sample, why, options, map);
}

function inspectSample(doc: unknown, model: string | null): Record<string, unknown>[] {
  if (!isObject(doc) || !Array.isArray(doc.samples)) return [];
  return doc.samples
    .slice(0, SAMPLE_ROWS)
    .map((s) => inspectSampleRow(s, { model }))
    .filter(isObject);
}

function columnsOf(rows: readonly Record<string, unknown>[]): Set<string> {
  const out = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) out.add(k);
  return out;
}

function metricsPlan(
  base: { path: string; bytes: number },
  container: ImportContainer,
  columns: ReadonlySet<string>,
  stepColumn: string,
  textual: boolean,
  where?: string,
): ImportPlan {
  const names = [...columns].filter((c) => c !== stepColumn);
  const shown = names.length > 6 ? `${names.slice(0, 6).join(', ')}, …` : names.join(', ');
  return {
    ...base,
    format: 'step-metrics',
    container,
    mapping: { kind: 'step-metrics', metrics: { stepColumn, textual } },
    message: `detected per-step metrics${where ? ` (${where.replace('detected ', '')})` : ''} (column ${stepColumn} and numeric columns ${shown})`,
  };
}

function withPreset(
  base: { path: string; bytes: number },
  container: ImportContainer,
  preset: Preset,
  sample: readonly Record<string, unknown>[],
  why: string,
  options: ImportOptions,
  map: ReturnType<typeof parseFieldMap> | undefined,
  textual = false,
): ImportPlan {
  const { rollout, notes } = rolloutMapping(base.path, preset, sample, options, map, textual);
  return {
    ...base,
    format: preset.name,
    container,
    mapping: { kind: 'rollouts', rollout },
    message: [why, ...notes].join('; '),
  };
}
