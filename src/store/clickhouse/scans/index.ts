import type { AnalysisScans } from '../../scans/index.ts';
import type { ClickHouseClient } from '../clickhouse-client.ts';
import { eventScans } from './event-scans.ts';
import { phaseScans } from './phase-scans.ts';
import { phraseScans } from './phrase-scans.ts';
import { reportScans } from './report-scans.ts';
import { rewardScans } from './reward-scans.ts';
import { runLayerScans } from './run-layer-scans.ts';
import { textScans } from './text-scans.ts';

/** All analysis scans of the ClickHouse backend (the twin of src/store/duckdb/scans/index.ts). */
export function clickHouseScans(client: ClickHouseClient): AnalysisScans {
  return {
    ...runLayerScans(client),
    ...rewardScans(client),
    ...textScans(client),
    ...phraseScans(client),
    ...eventScans(client),
    ...reportScans(client),
    ...phaseScans(client),
  };
}
