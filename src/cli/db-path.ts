/** The database file: `--db PATH`, else `$RLAUDIT_DB`, else `./.rlaudit/rlaudit.duckdb`. */
export const DEFAULT_DB_PATH = '.rlaudit/rlaudit.duckdb';

export function resolveDbPath(flag: string | undefined): string {
  return flag ?? process.env.RLAUDIT_DB ?? DEFAULT_DB_PATH;
}
