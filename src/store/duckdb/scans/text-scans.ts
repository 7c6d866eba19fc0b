import type { TextScans } from '../../scans/text-scans.ts';
import type { DuckDbClient } from '../duckdb-client.ts';

export function textScans(_client: DuckDbClient): TextScans {
  return {};
}
