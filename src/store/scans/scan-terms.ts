import { InputError } from '../../model/errors.ts';
import { ident, type SqlFragment } from '../sql/sql.ts';
import type { RewardColumn } from './reward-scans.ts';

/**
 * The engine-neutral terms the scans of both engines share (src/store/duckdb/scans/ and
 * src/store/clickhouse/scans/): what to read and how a user's pattern is judged, decided once here so the
 * two engines cannot drift apart. Only the SQL around them is written per engine.
 */

// The column is chosen from a closed set, never from user text: it is an identifier, not a value.
const REWARD_COLUMNS: Readonly<Record<RewardColumn, string>> = {
  adjusted_reward: 'adjusted_reward',
  baseline_reward: 'baseline_reward',
};

/** The reward column an analysis reads, as an identifier; anything outside the closed set is refused. */
export function rewardColumn(reward: RewardColumn): SqlFragment {
  const c = Object.hasOwn(REWARD_COLUMNS, reward) ? REWARD_COLUMNS[reward] : undefined;
  if (c === undefined) throw new RangeError(`unknown reward column ${JSON.stringify(reward)}`);
  return ident(c);
}

/**
 * A regex behaviour target's RE2 pattern with its flags (default `i`, case-insensitive); flags other than
 * `i`, `m`, `s` are the user's error.
 *
 * @example regexPattern({ regex: 'never\\s+again' }) // '(?i)never\s+again'
 */
export function regexPattern(target: { readonly regex: string; readonly flags?: string }): string {
  const flags = target.flags ?? 'i';
  if (!/^[ims]*$/.test(flags)) throw new InputError(`regex flags '${flags}' may only use i, m, s`);
  return flags === '' ? target.regex : `(?${flags})${target.regex}`;
}

/** Where a checked pattern came from: the option or field an error names, and what the user called it. */
export interface PatternSource {
  readonly field: string;
  readonly label?: string;
}

/**
 * An RE2 checker for one engine: `compile` asks the engine to compile the pattern (it throws when the engine
 * refuses it) and `reason` reads the engine's first line of why. Each pattern is compiled once per client, so
 * a scan asked many times checks its pattern once; a refused pattern is the user's error — an `InputError`
 * naming the field (CLI exit 2) — not a failed scan (a `QueryError`, exit 3).
 */
export function re2Checker<C extends object>(
  compile: (client: C, pattern: string) => Promise<unknown>,
  reason: (err: unknown) => string,
): (client: C, pattern: string, shown: string, where: PatternSource) => Promise<void> {
  const compiled = new WeakMap<C, Set<string>>();
  return async (client, pattern, shown, where) => {
    const known = compiled.get(client) ?? new Set<string>();
    compiled.set(client, known);
    if (known.has(pattern)) return;
    try {
      await compile(client, pattern);
    } catch (err) {
      const why = reason(err).split('\n')[0];
      const label = where.label ? `${where.label}: ` : '';
      throw new InputError(`${label}not a valid RE2 regular expression: ${JSON.stringify(shown)} (${why})`, {
        field: where.field,
      });
    }
    known.add(pattern);
  };
}
