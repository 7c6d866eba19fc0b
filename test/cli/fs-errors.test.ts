import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sectionProgress } from '../../src/cli/commands/audit.ts';
import { fileSystemError } from '../../src/cli/program.ts';
import { runIdArg } from '../../src/cli/run-id-option.ts';
import { InputError } from '../../src/model/errors.ts';
import { fsProblem } from '../../src/sources/detect-format.ts';

/** An fs error as node raises it (`fs.open` of an unreadable file), without needing one: tests run as root. */
function errno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: error, ${syscall} '${path}'`), {
    code,
    syscall,
    path,
    errno: -13,
  });
}

describe('file system errors and run ids at the command line', () => {
  it('turns an EACCES on open into one line naming the file (exit 2, not a stack trace)', () => {
    assert.equal(
      fileSystemError(errno('EACCES', 'open', '/data/run.jsonl')),
      '/data/run.jsonl: permission denied (EACCES) on open',
    );
  });

  it('maps every errno code, known or not, and leaves other errors alone', () => {
    for (const code of ['ENOENT', 'EISDIR', 'ENOSPC', 'EROFS', 'EIO', 'EMFILE']) {
      const line = fileSystemError(errno(code, 'write', '/out/report.json'));
      assert.ok(line?.startsWith('/out/report.json: '), `${code}: ${line}`);
      assert.ok(code === 'ENOENT' ? line?.includes('not found') : line?.includes(code), `${code}: ${line}`);
    }
    assert.equal(fileSystemError(new Error('boom')), null);
    assert.equal(fileSystemError(new TypeError('x')), null);
    assert.equal(fileSystemError(null), null);
    assert.equal(fsProblem(errno('ENOENT', 'stat', 'x')), 'file not found');
  });

  it('refuses run ids that break the run-id rule, . and .. among them, naming what is expected', () => {
    for (const bad of ['.', '..', '../../x', 'a b', '', 'x'.repeat(201)]) {
      assert.throws(() => runIdArg(bad), /expected a (non-empty )?run id/, JSON.stringify(bad));
    }
    for (const good of ['wild-7', "x';--", '.hidden', 'a..b']) assert.equal(runIdArg(good), good);
  });

  it('counts a section that failed on its data apart from one that failed inside rlaudit (exit 2 vs 3)', () => {
    const failures = { internal: 0 };
    const hear = sectionProgress(failures);
    hear('overview', 'running');
    hear('interventions', 'failed', new InputError('the replay cannot remove e-999'));
    assert.equal(failures.internal, 0, 'a data problem: exit 2');
    hear('outputs', 'failed', new TypeError('x is undefined'));
    assert.equal(failures.internal, 1, 'a bug: exit 3');
  });
});
