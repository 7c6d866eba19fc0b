// @ts-check
// Whether dist/ is a current build of src/. bin/rlaudit.js runs dist/ only then, and the TypeScript sources
// through tsx otherwise, so that an edit to src/ is never silently ignored by an old build.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Written last by scripts/build.mjs: `{ "builtAt": <ms>, "sources": [<path under src/>, …] }`, the time the
 * build started and the files it compiled.
 */
export const STAMP = '.build-stamp';

/** The build's configuration: it changes the compiled output, and only a development checkout has it. */
const BUILD_CONFIG = ['tsconfig.json', 'tsconfig.build.json'];

/**
 * Why `<root>/dist` cannot be run — not built, an unfinished or failed build (no stamp), a file of src/ modified
 * after the build started, or one added, removed or renamed since — or null when it is current. One stat per
 * file of src/ (~240: 3–10 ms). An installed package is always current.
 *
 * @example buildStaleness('/work/rlaudit') // → null, or 'src/cli/program.ts changed after the build'
 * @param {string} root the package's folder (holding src/ and dist/)
 * @returns {string | null}
 */
export function buildStaleness(root) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(root, 'dist', STAMP), 'utf8'));
  } catch {
    return 'dist/ is not built';
  }
  const { builtAt, sources } = stamp;
  if (typeof builtAt !== 'number' || !Array.isArray(sources)) return `dist/${STAMP} is not this build's`;
  // An installed package has no tsconfig (not in `files`): nothing could rebuild it, and npm gives its files the
  // install time as mtime, which says nothing. It runs the dist/ it ships.
  if (!existsSync(join(root, 'tsconfig.build.json'))) return null;
  for (const name of BUILD_CONFIG) {
    if ((statSync(join(root, name), { throwIfNoEntry: false })?.mtimeMs ?? 0) > builtAt)
      return `${name} changed after the build`;
  }
  const files = sourceFiles(root);
  if (files === null) return null;
  const changed = files.find((f) => f.mtimeMs > builtAt);
  if (changed) return `src/${changed.path} changed after the build`;
  const built = new Set(sources);
  const added = files.find((f) => !built.has(f.path));
  if (added) return `src/${added.path} was added after the build`;
  if (files.length !== built.size) {
    const now = new Set(files.map((f) => f.path));
    return `src/${sources.find((p) => !now.has(p))} was removed after the build`;
  }
  return null;
}

/**
 * Every file under `<root>/src` with its mtime, as '/'-separated paths relative to src/; null without src/.
 * @param {string} root
 * @returns {{ path: string, mtimeMs: number }[] | null}
 */
export function sourceFiles(root) {
  /** @type {{ path: string, mtimeMs: number }[]} */
  const out = [];
  /** @param {string} dir @param {string} prefix */
  const walk = (dir, prefix) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else out.push({ path: `${prefix}${entry.name}`, mtimeMs: statSync(path).mtimeMs });
    }
  };
  try {
    walk(join(root, 'src'), '');
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT') return null;
    throw err;
  }
  return out;
}
