import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import packageJson from '../../package.json' with { type: 'json' };

let cached: string | null = null;

/**
 * A hash of the code that computes analysis results: rlaudit's version and every source file next to this
 * one's parent folder (src/ or its compiled twin). A cached result made by other code is never read back,
 * also between two commits of the same version. Computed once per process (a few milliseconds).
 */
export function codeFingerprint(): string {
  if (cached !== null) return cached;
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const hash = createHash('sha256').update(packageJson.version);
  const files = (readdirSync(root, { recursive: true }) as string[])
    .filter((f) => /\.(ts|js|mjs|yaml|json)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  for (const f of files) hash.update(f).update(readFileSync(join(root, f)));
  cached = hash.digest('hex').slice(0, 16);
  return cached;
}
