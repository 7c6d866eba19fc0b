import type { EventScans } from '../../scans/event-scans.ts';
import type { DuckDbClient } from '../duckdb-client.ts';

export function eventScans(_client: DuckDbClient): EventScans {
  return {};
}
