import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Protocol, parseProtocol } from './protocol.ts';

const WILD_7_FILE = fileURLToPath(new URL('./protocols/wild-7.yaml', import.meta.url));
let cached: Protocol | undefined;

/**
 * The built-in WILD-7 calibration protocol (`protocols/wild-7.yaml`), parsed once per process.
 *
 * @example
 * const calibrator = new Calibrator(wild7Protocol());
 * wild7Protocol().recurrence_rules[0]?.recommended_by // 'Dr. Okafor'
 */
export function wild7Protocol(): Protocol {
  cached ??= parseProtocol(readFileSync(WILD_7_FILE, 'utf8'), WILD_7_FILE);
  return cached;
}
