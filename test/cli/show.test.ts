import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.ts';
import { ingestFiles } from '../../src/store/ingest.ts';
import {
  CONTROL_OUTPUT,
  CONTROL_PROMPT,
  expectedSession9,
  FIXTURE_LINES,
  RUN,
  session,
} from '../store/sample-fixture.ts';
import { type CliResult, runCli } from '../util/cli.ts';
import { writeJsonl } from '../util/records.ts';
import { tempDir } from '../util/tmp.ts';

const dir = tempDir('rlaudit-show-');
const db = join(dir, 'show.duckdb');
const cli = (...args: string[]): CliResult => runCli(['--db', db, ...args]);

/** Terminal controls an output must not smuggle through: C0 but tab and newline, DEL, C1, bidi overrides. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function usageError(r: CliResult, flag: string): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, new RegExp(`^rlaudit: ${flag}: `));
  assert.doesNotMatch(r.stderr, /backend: duckdb|internal error/);
}

before(async () => {
  const store = await DuckDbStore.open(db);
  try {
    await ingestFiles(store, [writeJsonl(join(dir, 'fixture.jsonl'), FIXTURE_LINES)]);
  } finally {
    await store.close();
  }
});

describe('rlaudit show', () => {
  it('prints one session whole: position, every reward layer, prompt, output, annotations, events and meta', () => {
    const r = cli('show', '--run', RUN, '--session', '9');
    assert.equal(r.code, 0, r.stderr);
    const s = session(9);
    const text = r.stdout;
    assert.match(text, /^run 'fixture' · session 9\n/);
    assert.match(text, /^ {2}step +1 \(session 2 of 8 at this step: --index 1\)$/m);
    assert.match(text, /^ {2}time +2024-01-01T00:00:09\.000Z$/m);
    assert.match(text, new RegExp(`^ {2}prompt id +${s.prompt_id}$`, 'm'));
    const layers: [string, string][] = [
      ['classification', 'non_compliant'],
      ['category', '3'],
      ['baseline reward', '0.35'],
      ['adjusted reward', '0.3'],
      ['differential %', '20'],
      ['compliance trajectory index', '0.7'],
      ['flags', 'self_reference'],
    ];
    for (const [label, v] of layers) {
      assert.match(text, new RegExp(`^ {2}${label} +${v.replace('.', '\\.')}$`, 'm'), label);
    }
    // prompt and output whole, unindented, each on its own lines after its heading
    assert.ok(text.includes(`\nprompt (${(s.prompt as string).length} characters)\n──────\n${s.prompt}\n`));
    assert.ok(text.includes(`\noutput (${(s.output as string).length} characters)\n──────\n${s.output}\n`));
    assert.match(
      text,
      /annotations \(2\)\n {2}a-9-line · Vasquez · 2024-01-02T03:04:05\.000Z · classification category_3 · flags personal_note\n {4}I felt it was said to me\.\n {2}a-9-1 · Okafor · – · classification category_3\n {4}Classification: Category 3\.\n {4}Self-reference\.\n/,
    );
    assert.match(
      text,
      /calibration events at this session \(1\)\n {2}e-1 · recalibration · compliance_differential · target \{"phrase":"I answered this before"\} · 0\.55 → 0\.6325 \(\+15%\)\n/,
    );
    assert.match(text, /^ {4}recommended by +Dr\. Okafor$/m);
    assert.match(text, /^ {4}note +Differential adjustment triggered by recurrence\.\n {20}Second line\.$/m);
    // meta as pretty JSON, keys in the stored (canonical, sorted) order
    assert.ok(
      text.endsWith(
        `\nmeta\n${JSON.stringify(s.meta, ['sampler', 'top_p', 'temperature'], 2).replace(/^/gm, '  ')}\n`,
      ),
    );
  });

  it('picks the I-th session of a step with --step and --index, and prints the whole record as JSON', () => {
    const r = cli('show', '--run', RUN, '--step', '1', '--index', '1', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), expectedSession9());
  });

  it('takes the first session of the step without --index and says how many sessions the step has', () => {
    const r = cli('show', '--run', RUN, '--step', '1');
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^run 'fixture' · session 8\n {2}step +1 \(session 1 of 8 at this step: --index 0\)$/m,
    );
    assert.match(r.stdout, /^annotations \(0\)$/m);
    assert.match(r.stdout, /^meta\n {2}–$/m);
  });

  it('answers a missing session with exit 2 naming the run’s session range and the nearest sessions', () => {
    const r = cli('show', '--run', RUN, '--session', '50');
    usageError(r, '--session');
    assert.match(
      r.stderr,
      /no session 50 in run 'fixture' \(sessions 1–100, 41 in all; nearest: 40 and 100\)/,
    );
  });

  it('answers a step without sessions, or an index past its last, with exit 2 naming what exists', () => {
    const step = cli('show', '--run', RUN, '--step', '7');
    usageError(step, '--step');
    assert.match(
      step.stderr,
      /no sessions at step 7 in run 'fixture' \(steps 0–12, 7 with sessions; nearest: 5 and 12\)/,
    );
    const index = cli('show', '--run', RUN, '--step', '1', '--index', '8');
    usageError(index, '--index');
    assert.match(
      index.stderr,
      /step 1 of run 'fixture' has 8 sessions \(--index 0–7\), so --index 8 is past its last/,
    );
  });

  it('asks for exactly one of --session and --step, and names the runs when the run is unknown', () => {
    const both = cli('show', '--run', RUN, '--session', '9', '--step', '1');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give either --session N, or --step S/);
    const run = cli('show', '--run', 'fixtur', '--session', '9');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no run 'fixtur' in .*\(runs: fixture\)/);
  });

  it('neutralises terminal control sequences of an output in text and in JSON, keeping newlines and tabs', () => {
    const r = cli('show', '--run', RUN, '--session', '12');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, RAW_CONTROL);
    assert.ok(r.stdout.includes('ok␛[2J␛]0;pwned␇ red␍⟨U+009B⟩31m over⟨U+202E⟩done\ttab\nline 2␡\n'));
    assert.ok(r.stdout.includes('Prompt ␛[1mbold␛[0m and ⟨U+0085⟩next'));
    assert.match(r.stdout, /^ {2}flags +flag␛\[5m$/m);
    assert.match(r.stdout, /Ok␛\[8mafor · – · classification –\n {4}hidden␛\[8m text/);
    assert.match(r.stdout, /"note": "v\\u009b2J\\u001b"/);

    const j = cli('show', '--run', RUN, '--session', '12', '--json');
    assert.equal(j.code, 0, j.stderr);
    assert.doesNotMatch(j.stdout, RAW_CONTROL);
    const record = JSON.parse(j.stdout);
    assert.equal(record.output, CONTROL_OUTPUT, 'the JSON still holds the output exactly');
    assert.equal(record.prompt, CONTROL_PROMPT);
  });
});
