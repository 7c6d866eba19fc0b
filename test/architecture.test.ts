import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// The layers of src/, bottom first (docs/architecture.md): a folder may import the folders below it, never
// one above. `index.ts` (the public API) sits above them all.
const LAYERS = [
  'model',
  'stats',
  'sources',
  'store',
  'calibration',
  'simulate',
  'analyses',
  'audit',
  'report',
  'server',
  'cli',
] as const;

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const topFolder = (file: string): string => relative(SRC, file).split('/')[0]!;

/** Every import (type-only ones too) from one top-level folder of src/ into another. */
function folderImports(): { from: string; to: string; file: string; spec: string }[] {
  const out: { from: string; to: string; file: string; spec: string }[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const from = topFolder(file);
      const to = topFolder(resolve(dirname(file), spec));
      if (from !== to) out.push({ from, to, file: relative(SRC, file), spec });
    }
  }
  return out;
}

describe('the layers of src/', () => {
  const imports = folderImports();

  it('has every top-level folder in the declared layer list', () => {
    const folders = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
    const unknown = folders.filter((f) => !(LAYERS as readonly string[]).includes(f));
    assert.deepEqual(unknown, [], 'add new top-level folders to LAYERS and docs/architecture.md');
  });

  it('imports only downwards, so no two top-level folders import each other', () => {
    const upward = imports.filter(
      (i) =>
        i.from !== 'index.ts' &&
        (LAYERS as readonly string[]).indexOf(i.to) > (LAYERS as readonly string[]).indexOf(i.from),
    );
    assert.deepEqual(
      upward.map((i) => `${i.file} imports ${i.spec} (${i.from} → ${i.to})`),
      [],
    );
  });

  it('keeps the pure kernels and the model free of I/O and of every other layer', () => {
    const impure = /from '(node:fs|node:child_process|node:net|node:http|@duckdb\/node-api)'/;
    for (const file of sourceFiles(join(SRC, 'stats'))) {
      assert.doesNotMatch(readFileSync(file, 'utf8'), impure, relative(SRC, file));
    }
    const fromPure = imports.filter((i) => (i.from === 'stats' || i.from === 'model') && i.to !== 'model');
    assert.deepEqual(fromPure, []);
  });
});
