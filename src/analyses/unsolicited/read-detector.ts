import { readFileSync } from 'node:fs';
import { InputError } from '../../model/errors.ts';
import { type Detector, parseDetector } from './unsolicited-detector.ts';

/** Reads and validates a detector rules file (JSON or YAML); an unreadable file is the user's error. */
export function readDetector(path: string): Detector {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the detector file (${(err as Error).message})`, { file: path });
  }
  return parseDetector(text, path);
}
