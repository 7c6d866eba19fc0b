import type { EventScans } from './event-scans.ts';
import type { PhaseScans } from './phase-scans.ts';
import type { PhraseScans } from './phrase-scans.ts';
import type { ReportScans } from './report-scans.ts';
import type { RewardScans } from './reward-scans.ts';
import type { RunLayerScans } from './run-layers.ts';
import type { TextScans } from './text-scans.ts';

/**
 * The heavy scans behind the analyses, run inside the engine: each returns small typed series (per window,
 * per event) or bounded samples, never a whole run. One interface per family of analyses; a backend
 * implements all of them (src/store/duckdb/scans/).
 */
export interface AnalysisScans
  extends RunLayerScans,
    RewardScans,
    TextScans,
    PhraseScans,
    EventScans,
    ReportScans,
    PhaseScans {}

export type { RunLayers } from './run-layers.ts';
export type { EventScans, PhaseScans, PhraseScans, ReportScans, RewardScans, RunLayerScans, TextScans };
