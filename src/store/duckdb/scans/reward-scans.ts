import type { RewardScans } from '../../scans/reward-scans.ts';
import type { DuckDbClient } from '../duckdb-client.ts';

export function rewardScans(_client: DuckDbClient): RewardScans {
  return {};
}
