import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { type SimulateOptions, simulate } from './simulate.ts';

/** What {@link writeSimulation} wrote. */
export interface SimulationSummary {
  readonly sessions: number;
  readonly events: number;
  readonly annotations: number;
  readonly bytes: number;
}

/** Lines are batched into chunks of about this many characters before they are written. */
const CHUNK_CHARS = 1 << 16;

/**
 * Streams a simulated run to `path` as JSONL (record format v1, one record per line). Memory stays bounded:
 * lines are written in ~64 KiB chunks and generation pauses whenever the file stream's buffer is full
 * (backpressure). `annotations` counts standalone annotation lines and nested ones.
 *
 * @example
 * await writeSimulation('wild-7.jsonl', { scenario: 'wild-7', seed: 7 })
 * // { sessions: 12847, events: 3, annotations: …, bytes: … }
 */
export async function writeSimulation(path: string, options: SimulateOptions): Promise<SimulationSummary> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {});
  let sessions = 0;
  let events = 0;
  let annotations = 0;
  let bytes = 0;
  let chunk = '';
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    bytes += Buffer.byteLength(chunk);
    const ok = out.write(chunk);
    chunk = '';
    if (!ok) await Promise.race([once(out, 'drain'), failed]);
  };
  try {
    for (const record of simulate(options)) {
      if (record.type === 'session') {
        sessions += 1;
        annotations += record.annotations?.length ?? 0;
      } else if (record.type === 'event') events += 1;
      else if (record.type === 'annotation') annotations += 1;
      chunk += `${JSON.stringify(record)}\n`;
      if (chunk.length >= CHUNK_CHARS) await flush();
    }
    await flush();
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  } catch (error) {
    out.destroy();
    throw error;
  }
  return { sessions, events, annotations, bytes };
}
