import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerAnalyze } from '../../src/cli/commands/analyze.ts';
import { buildProgram, needsAnalyze, WITHOUT_ANALYZE } from '../../src/cli/program.ts';

describe('start-up: which command lines build `analyze` (and import every analysis)', () => {
  it('builds it for analyze, help, an unknown word and no command at all', () => {
    for (const args of [
      ['analyze', 'convergence', '--run', 'r'],
      ['--db', 'x.duckdb', 'analyze', 'compare'],
      ['help'],
      ['help', 'runs'],
      ['--help'],
      ['-h', 'runs'],
      ['analyse'],
      [],
      ['--db', 'runs'],
    ]) {
      assert.equal(needsAnalyze(args), true, args.join(' '));
    }
  });

  it('leaves it out for every other command, its own --help, and a bare --version', () => {
    for (const args of [
      ['--version'],
      ['-V'],
      ['runs'],
      ['--db', 'x.duckdb', 'sessions', '--run', 'wild-7'],
      ['--db=x.duckdb', 'runs', '--json'],
      ['runs', '--help'],
      ['audit', 'status', '--run', 'analyze'],
    ]) {
      assert.equal(needsAnalyze(args), false, args.join(' '));
    }
  });

  it('knows every command but analyze as one that goes without it (a new command starts fast once listed)', () => {
    const names = buildProgram(registerAnalyze).commands.map((c) => c.name());
    assert.deepEqual(names.filter((n) => n !== 'analyze').sort(), [...WITHOUT_ANALYZE].sort());
  });
});
