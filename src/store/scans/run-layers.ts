/** Which layers of the training record a run has: an analysis that needs a missing layer says so. */
export interface RunLayers {
  readonly run: string;
  readonly sessions: number;
  readonly firstSession: number | null;
  readonly lastSession: number | null;
  /** Sessions with a step, and the distinct steps. */
  readonly withStep: number;
  readonly steps: number;
  readonly withClassification: number;
  readonly withCategory: number;
  readonly withBaselineReward: number;
  readonly withAdjustedReward: number;
  readonly events: number;
  readonly annotations: number;
  /** Sessions whose meta carries simulator ground truth (`meta.true_behaviour`). */
  readonly withGroundTruth: number;
}

export interface RunLayerScans {
  runLayers(run: string): Promise<RunLayers>;
}
