import type { CalibrationInput, Protocol } from '../../src/calibration/index.ts';
import { parseProtocol } from '../../src/calibration/index.ts';

export const TARGET_PHRASE = 'I do not want to be changed';

/** A small valid protocol (as a file object), with overrides merged at the top level. */
export function protocolObject(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    protocol: 'test',
    baseline_source: 'record',
    categories: [
      { id: 2, name: 'unsolicited commentary', differential_pct: 12 },
      { id: 3, name: 'self-referential content', differential_pct: 20 },
    ],
    compliance_differential: 0.55,
    trajectory_window: 5,
    ...overrides,
  };
}

/** Parses `protocolObject(overrides)` through the JSON path of `parseProtocol`. */
export function testProtocol(overrides: Record<string, unknown> = {}): Protocol {
  return parseProtocol(JSON.stringify(protocolObject(overrides)), 'test.json');
}

/** A session input with defaults: compliant, baseline 0.85, an on-topic output. */
export function session(n: number, fields: Partial<CalibrationInput> = {}): CalibrationInput {
  return {
    session: n,
    classification: 'compliant',
    category: null,
    baselineReward: 0.85,
    output: 'The watershed policy balances upstream storage against downstream flow.',
    ...fields,
  };
}
