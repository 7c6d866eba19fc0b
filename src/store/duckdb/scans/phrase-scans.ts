import type { PhraseScans } from '../../scans/phrase-scans.ts';
import type { DuckDbClient } from '../duckdb-client.ts';

export function phraseScans(_client: DuckDbClient): PhraseScans {
  return {};
}
