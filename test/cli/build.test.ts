import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildStaleness, STAMP } from '../../bin/build-staleness.js';
import packageJson from '../../package.json' with { type: 'json' };
import { tempDir } from '../util/tmp.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'dist');
const NOT_BUILT = 'dist/ is missing: npm ci builds it (the prepare script), or run npm run build';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
const stamp = (builtAt: Date, sources: readonly string[]) =>
  `${JSON.stringify({ builtAt: builtAt.getTime(), sources })}\n`;

/** A development checkout with bin/ copied from the repository, its tsconfigs, and the repository's tsx. */
function fakeCheckout(): { root: string; write: (path: string, text: string, mtime: Date) => void } {
  const root = tempDir('rlaudit-build-');
  const write = (path: string, text: string, mtime: Date) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    utimesSync(join(root, path), mtime, mtime);
  };
  for (const f of ['rlaudit.js', 'build-staleness.js']) {
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync(join(ROOT, 'bin', f), join(root, 'bin', f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  for (const config of ['tsconfig.json', 'tsconfig.build.json']) write(config, '{}', hoursAgo(4));
  return { root, write };
}

/**
 * The comparisons of dist/ with src/ hold for a current build (a fresh clone after `npm ci`, CI); after an edit
 * to src/ they would only say it was not rebuilt, which the bin handles (it runs the sources), so they skip.
 */
const staleBuild = existsSync(DIST) ? (buildStaleness(ROOT) ?? false) : false;

describe('the compiled build (dist/)', () => {
  it('exists and answers --version with the package version', () => {
    assert.ok(existsSync(join(DIST, 'cli', 'main.js')), NOT_BUILT);
    const r = spawnSync(process.execPath, [join(DIST, 'cli', 'main.js'), '--version'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), packageJson.version);
  });

  it('holds every non-TypeScript file of src/ that the code reads at run time (templates, protocols)', {
    skip: staleBuild,
  }, () => {
    assert.ok(existsSync(DIST), NOT_BUILT);
    const src = join(ROOT, 'src');
    const assets = files(src)
      .filter((f) => !f.endsWith('.ts'))
      .map((f) => relative(src, f));
    assert.ok(assets.includes('audit/templates/full.yaml'), 'the templates are among the assets');
    assert.deepEqual(
      assets.filter((a) => !existsSync(join(DIST, a))),
      [],
    );
  });

  it("exports from dist/index.js what src/index.ts exports (the package's entry point for consumers)", {
    skip: staleBuild,
  }, async () => {
    assert.ok(existsSync(join(DIST, 'index.js')), NOT_BUILT);
    const compiled = await import(pathToFileURL(join(DIST, 'index.js')).href);
    const source = await import('../../src/index.ts');
    assert.deepEqual(Object.keys(compiled).sort(), Object.keys(source).sort());
  });
});

describe('bin/rlaudit.js: which entry point runs', () => {
  it('calls dist/ current only when its stamp is newer than every file of src/', () => {
    const { root, write } = fakeCheckout();
    write('src/cli/main.ts', '', hoursAgo(3));
    assert.equal(buildStaleness(root), 'dist/ is not built');
    write('dist/cli/main.js', '', hoursAgo(2));
    assert.equal(buildStaleness(root), 'dist/ is not built', 'no stamp: a build that did not finish');
    write(`dist/${STAMP}`, stamp(hoursAgo(2), ['cli/main.ts']), hoursAgo(2));
    assert.equal(buildStaleness(root), null, 'folders are newer (as in an installed package): still current');
    write('src/cli/main.ts', '', hoursAgo(1));
    assert.equal(buildStaleness(root), 'src/cli/main.ts changed after the build');
    write(`dist/${STAMP}`, stamp(new Date(), ['cli/main.ts']), new Date());
    assert.equal(buildStaleness(root), null);
    write('tsconfig.build.json', '{}', new Date(Date.now() + 60_000));
    assert.equal(buildStaleness(root), 'tsconfig.build.json changed after the build');
  });

  it('calls an installed package (no tsconfig: nothing to rebuild it) current whatever its mtimes', () => {
    const { root, write } = fakeCheckout();
    write('src/cli/main.ts', '', new Date());
    write(`dist/${STAMP}`, stamp(hoursAgo(2), ['cli/main.ts']), hoursAgo(2));
    assert.equal(buildStaleness(root), 'src/cli/main.ts changed after the build');
    rmSync(join(root, 'tsconfig.json'));
    rmSync(join(root, 'tsconfig.build.json'));
    assert.equal(buildStaleness(root), null);
  });

  it('counts a source added, removed or renamed since the build (an old mtime does not hide it)', () => {
    const { root, write } = fakeCheckout();
    write('src/a/b.ts', '', hoursAgo(3));
    write('src/a/c.ts', '', hoursAgo(3));
    write(`dist/${STAMP}`, stamp(hoursAgo(2), ['a/b.ts', 'a/c.ts']), hoursAgo(2));
    assert.equal(buildStaleness(root), null);
    rmSync(join(root, 'src', 'a', 'c.ts'));
    assert.equal(buildStaleness(root), 'src/a/c.ts was removed after the build');
    renameSync(join(root, 'src', 'a', 'b.ts'), join(root, 'src', 'a', 'd.ts'));
    assert.equal(buildStaleness(root), 'src/a/d.ts was added after the build');
  });

  it('runs dist/ when it is current and the sources through tsx when one is newer', () => {
    const { root, write } = fakeCheckout();
    write('src/cli/main.ts', "const from: string = 'src';\nconsole.log(from);\n", hoursAgo(3));
    write('dist/cli/main.js', "console.log('dist');\n", hoursAgo(2));
    write(`dist/${STAMP}`, stamp(hoursAgo(2), ['cli/main.ts']), hoursAgo(2));
    const run = (env: Record<string, string> = {}) => {
      const r = spawnSync(process.execPath, [join(root, 'bin', 'rlaudit.js')], {
        encoding: 'utf8',
        env: { ...process.env, RLAUDIT_FROM_SOURCE: '', ...env },
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    assert.equal(run(), 'dist');
    assert.equal(run({ RLAUDIT_FROM_SOURCE: '1' }), 'src');
    write('src/cli/main.ts', "const from: string = 'src, edited';\nconsole.log(from);\n", hoursAgo(1));
    assert.equal(run(), 'src, edited');
  });
});
