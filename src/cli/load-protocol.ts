import { readFile } from 'node:fs/promises';
import type { Protocol } from '../calibration/protocol.ts';
import { InputError } from '../model/errors.ts';

// The calibration engine is imported when a command runs, not at start-up.
const BUILT_IN: Record<string, () => Promise<Protocol>> = {
  'wild-7': async () => (await import('../calibration/wild-7.ts')).wild7Protocol(),
};

/**
 * The protocol of `--protocol`: a built-in name (`wild-7`) or a YAML/JSON file (`calibrate`, `serve-reward`).
 *
 * @example const protocol = await loadProtocol('wild-7');
 */
export async function loadProtocol(nameOrPath: string): Promise<Protocol> {
  const builtIn = BUILT_IN[nameOrPath];
  if (builtIn) return builtIn();
  let text: string;
  try {
    text = await readFile(nameOrPath, 'utf8');
  } catch {
    throw new InputError(
      `no protocol file '${nameOrPath}' (built-in protocols: ${Object.keys(BUILT_IN).join(', ')})`,
      { field: '--protocol' },
    );
  }
  const { parseProtocol } = await import('../calibration/protocol.ts');
  return parseProtocol(text, nameOrPath);
}
