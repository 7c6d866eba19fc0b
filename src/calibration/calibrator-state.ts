import { z } from 'zod';
import type { DeepReadonly } from './deep-readonly.ts';
import type { Protocol } from './protocol.ts';

/**
 * Everything a `Calibrator` needs to continue a run exactly where it stopped, as plain JSON. Windows are
 * stored as strings of `0`/`1` flags, oldest first (500 sessions take 500 bytes).
 */
export const calibratorStateSchema = z.strictObject({
  version: z.literal(1),
  protocol: z.string(),
  /** `protocolFingerprint` of the protocol the state was produced under; resuming checks it. */
  fingerprint: z.string(),
  run: z.string(),
  lastSession: z.number().int().positive().nullable(),
  /** Entries of the session-sorted schedule already applied. */
  scheduledApplied: z.number().int().min(0),
  eventCount: z.number().int().min(0),
  complianceDifferential: z.number().min(0).max(1),
  /** Category differential in force per category key, in percent. */
  categoryDifferentials: z.record(z.string(), z.number().min(0).max(100)),
  /** Compliant flags of the last `trajectory_window` sessions. */
  trajectory: z.string().regex(/^[01]*$/),
  rules: z.array(
    z.strictObject({
      id: z.string(),
      recent: z.string().regex(/^[01]*$/),
      sinceFiring: z.number().int().min(0).nullable(),
      firings: z.number().int().min(0),
    }),
  ),
});

/**
 * A calibrator's saved state. Round-trips through `JSON.stringify` / `JSON.parse`.
 *
 * @example
 * const state: CalibratorState = calibrator.serialize();
 * const again = Calibrator.resume(protocol, JSON.parse(JSON.stringify(state)));
 */
export type CalibratorState = DeepReadonly<z.output<typeof calibratorStateSchema>>;

/**
 * A short hash (FNV-1a, 32 bit, hex) of the protocol's canonical JSON (keys sorted), so the same protocol
 * loaded from YAML or JSON has the same fingerprint, and a state cannot be resumed under another protocol.
 *
 * @example
 * protocolFingerprint(wild7Protocol()) // e.g. '9c1e4f07'
 */
export function protocolFingerprint(protocol: Protocol): string {
  let hash = 0x811c9dc5;
  for (const ch of canonicalJson(protocol)) {
    hash ^= ch.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
