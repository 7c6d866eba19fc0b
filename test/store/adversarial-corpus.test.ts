import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { InputError } from '../../src/model/errors.ts';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { type IngestSummary, ingestFiles } from '../../src/store/ingest.ts';
import { ADVERSARIAL_KINDS, type CorpusKind, kindsMarkdown } from '../fixtures/adversarial/generate.ts';
import { runCli } from '../util/cli.ts';
import { tempDir } from '../util/tmp.ts';

// Every kind of the adversarial corpus through the library's ingest, in-process, each into a fresh store:
// never an internal error, read = accepted + rejected + duplicates, each reject at the manifest's line and
// field with the record format's words, the refusals naming the file, and a second ingest adding nothing.

const root = tempDir('rlaudit-adversarial-');

/** zod's own wording, which must never reach a user. */
const ZOD_WORDS =
  /Too (big|small)|Invalid input|expected a record\b|allowed shapes|received|Expected (string|number)/;

/**
 * A file's path in the corpus directory: `<kind>/<kind>--<name>`, so that the run each file's rows default
 * to (its name) is the kind's own and all kinds can share one store. Names starting with a dot stay as they
 * are (they test that default).
 */
function corpusPath(kind: CorpusKind, name: string): string {
  return join(root, kind.kind, name.startsWith('.') ? name : `${kind.kind}--${name}`);
}

async function materialise(kind: CorpusKind): Promise<string[]> {
  mkdirSync(join(root, kind.kind), { recursive: true });
  const paths: string[] = [];
  for (const f of kind.files) {
    const path = corpusPath(kind, f.name);
    paths.push(path);
    if (f.missing) continue;
    if (f.dir) mkdirSync(path, { recursive: true });
    else if (f.bytes) writeFileSync(path, f.bytes);
    else if (f.parquetSql) {
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      await c.run(`COPY (${f.parquetSql}) TO '${path.replaceAll("'", "''")}' (FORMAT parquet)`);
      c.closeSync();
    }
  }
  return paths;
}

/** What the CLI would exit with for this outcome (2: refused, a file failed, or every row rejected). */
function exitOf(outcome: IngestSummary | InputError): 0 | 2 {
  if (outcome instanceof InputError) return 2;
  if (outcome.errors.length > 0) return 2;
  if (outcome.read > 0 && outcome.accepted === 0 && outcome.duplicates === 0 && outcome.rejected > 0)
    return 2;
  return 0;
}

async function ingest(
  store: DuckDbStore,
  paths: string[],
  kind: CorpusKind,
): Promise<IngestSummary | InputError> {
  try {
    // in-process through the engine path (a plain JSONL file; others take their reader); the command-line
    // test below goes through the default TypeScript reader
    return await ingestFiles(store, paths, { ...kind.options, batchRows: 100, reader: 'engine' });
  } catch (err) {
    if (err instanceof InputError) return err;
    throw new Error(`${kind.kind}: an internal error (exit 3): ${(err as Error).stack}`);
  }
}

describe('the adversarial corpus', () => {
  let store: DuckDbStore;
  before(async () => {
    store = await DuckDbStore.open(join(root, 'corpus.duckdb'));
  });
  after(async () => {
    await store.close();
  });

  it('has at least 60 kinds, each named once', () => {
    assert.ok(ADVERSARIAL_KINDS.length >= 60, `${ADVERSARIAL_KINDS.length} kinds`);
    assert.equal(new Set(ADVERSARIAL_KINDS.map((k) => k.kind)).size, ADVERSARIAL_KINDS.length);
  });

  for (const kind of ADVERSARIAL_KINDS) {
    it(`${kind.kind}: ${kind.what} — exits ${kind.exit} as the manifest says, nothing lost or doubled`, async () => {
      const paths = await materialise(kind);
      const mine = (file: string) => file.includes(`/${kind.kind}/`);
      const runsBefore = await store.listRuns();
      const first = await ingest(store, paths, kind);
      assert.equal(
        exitOf(first),
        kind.exit,
        `${kind.kind}: ${first instanceof Error ? first.message : JSON.stringify(first)}`,
      );
      if (first instanceof InputError) {
        assert.equal(
          kind.counts,
          undefined,
          `${kind.kind} expected counts but the ingest was refused: ${first.message}`,
        );
        assert.ok(
          paths.some((p) => first.message.includes(p)) || kind.options?.run !== undefined,
          `names the file: ${first.message}`,
        );
        if (kind.message)
          assert.ok(first.message.includes(kind.message), `${first.message} should say ${kind.message}`);
        assert.deepEqual(await store.listRuns(), runsBefore, 'a refused ingest writes nothing');
        return;
      }
      assert.equal(first.read, first.accepted + first.rejected + first.duplicates);
      for (const f of first.files) assert.equal(f.read, f.accepted + f.rejected + f.duplicates, f.file);
      if (kind.message) {
        const said = first.errors.join('\n');
        assert.ok(said.includes(kind.message), `${said} should say ${kind.message}`);
        assert.ok(
          first.errors.every((e) => paths.some((p) => e.includes(p))),
          'each error names its file',
        );
      }
      if (kind.counts) {
        const { read, accepted, rejected, duplicates } = first;
        assert.deepEqual({ read, accepted, rejected, duplicates }, kind.counts);
      }
      const rejects = (await store.listRejects({ limit: 100_000 })).filter((r) => mine(r.file));
      assert.deepEqual(
        rejects.map((r) => ({ line: r.line, field: r.field })).sort((a, b) => a.line - b.line),
        [...(kind.rejects ?? [])].sort((a, b) => a.line - b.line),
      );
      // per-run rejects add up: each reject is filed under a run that `runs` lists, or under no run
      const listed = new Set((await store.listRuns()).map((r) => r.run));
      for (const r of rejects) {
        assert.ok(
          r.expected.length > 0 && !ZOD_WORDS.test(r.expected),
          `record format's words: ${r.expected}`,
        );
        assert.ok(
          r.run === null || listed.has(r.run),
          `reject of ${r.file}:${r.line} under run ${r.run}, not listed`,
        );
      }

      const again = await ingest(store, paths, kind);
      assert.ok(!(again instanceof InputError), 'a second ingest is not refused');
      assert.equal(again.accepted, 0, 're-ingest adds nothing');
      assert.equal(again.read, again.accepted + again.rejected + again.duplicates);
      const rejectsAfter = (await store.listRejects({ limit: 100_000 })).filter((r) => mine(r.file));
      assert.equal(rejectsAfter.length, rejects.length, 'rejects are kept once');
    });
  }

  it('keeps an unknown field named __proto__ in meta, and pollutes no prototype', async () => {
    const kind = ADVERSARIAL_KINDS.find((k) => k.kind === 'proto-field')!;
    await ingestFiles(store, await materialise(kind), { run: 'proto' });
    const s = await store.getSession({ run: 'proto', session: 1 });
    assert.equal(JSON.stringify(s?.meta), '{"__proto__":{"polluted":1}}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const csv = ADVERSARIAL_KINDS.find((k) => k.kind === 'csv-proto-header')!;
    await ingestFiles(store, await materialise(csv), { run: 'proto-csv' });
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it('files a reject without a run under the run of its file, which `runs` lists', async () => {
    const kind = ADVERSARIAL_KINDS.find((k) => k.kind === 'rejects-without-run')!;
    const own = await DuckDbStore.open(':memory:');
    try {
      await ingestFiles(own, await materialise(kind));
      assert.deepEqual(
        (await own.listRuns()).map((r) => [r.run, r.rejects]),
        [['named-run', 1]],
      );
    } finally {
      await own.close();
    }
  });

  it('is listed whole in docs/ingest.md', () => {
    const doc = readFileSync(new URL('../../docs/ingest.md', import.meta.url), 'utf8');
    const m = /<!-- adversarial-kinds:start -->\n([\s\S]*?)\n<!-- adversarial-kinds:end -->/.exec(doc);
    assert.ok(m, 'docs/ingest.md has the adversarial-kinds markers');
    assert.equal(m[1], kindsMarkdown(), 'regenerate with: npm run docs');
  });

  it('through the command line: exit codes 0 and 2 only, and messages without raw escapes', () => {
    const db = join(root, 'cli.duckdb');
    for (const name of ['terminal-escapes', 'deep-nesting']) {
      const kind = ADVERSARIAL_KINDS.find((k) => k.kind === name)!;
      const paths = kind.files.map((f) => corpusPath(kind, f.name));
      const r = runCli([
        '--db',
        db,
        'ingest',
        ...paths,
        ...(name === 'terminal-escapes' ? ['--strict'] : []),
      ]);
      assert.equal(r.code, name === 'terminal-escapes' ? 2 : kind.exit, `${name}: ${r.stderr}`);
      assert.ok(!r.stderr.includes('\u001b'), `${name}: no raw escape on stderr`);
      assert.ok(!/internal error|at .*\.ts:\d+/.test(r.stderr), `${name}: no stack trace`);
    }
    // the deep file's only row named no run: `runs` counts it apart, `rejects --unattributed` lists it
    const runs = runCli(['--db', db, 'runs']);
    assert.equal(runs.code, 0, runs.stderr);
    assert.match(runs.stdout, /^1 rejected row named no run \(see: rlaudit rejects --unattributed\)$/m);
    const unattributed = runCli(['--db', db, 'rejects', '--unattributed', '--json']);
    assert.equal(unattributed.code, 0, unattributed.stderr);
    assert.deepEqual(
      (JSON.parse(unattributed.stdout) as { run: string | null; field: string }[]).map((r) => [
        r.run,
        r.field,
      ]),
      [[null, 'meta.a.a.…']],
    );
  });
});
