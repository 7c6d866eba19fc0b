import type { AnalysisScans } from '../../scans/index.ts';
import type { DuckDbClient } from '../duckdb-client.ts';
import { eventScans } from './event-scans.ts';
import { phaseScans } from './phase-scans.ts';
import { phraseScans } from './phrase-scans.ts';
import { reportScans } from './report-scans.ts';
import { rewardScans } from './reward-scans.ts';
import { runLayerScans } from './run-layer-scans.ts';
import { textScans } from './text-scans.ts';

/** All analysis scans of the DuckDB backend. */
export function duckDbScans(client: DuckDbClient): AnalysisScans {
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
