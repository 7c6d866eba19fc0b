/**
 * The WILD-7 simulator: a policy that learns from the calibrated reward, generating complete training
 * records with ground truth, and counterfactual replay. See docs/simulator.md.
 */
export { BEHAVIOUR_CATEGORY, BEHAVIOURS, type Behaviour } from './behaviours.ts';
export { INTERVENTION_FORMS, interventionNames } from './counterfactual.ts';
export { PROMPT_BANK, type Prompt } from './prompt-bank.ts';
export type {
  LearningConfig,
  ResistanceConfig,
  RewardModelConfig,
  ScenarioConfig,
  TrainerConfig,
} from './scenario-config.ts';
export { resolveScenario, type SimulatedRecord, type SimulateOptions, simulate } from './simulate.ts';
export { TARGET_PHRASE } from './text-generator.ts';
export { SIMULATOR_VERSION } from './version.ts';
export { wild7Scenario } from './wild-7-scenario.ts';
export { type SimulationSummary, writeSimulation } from './write-simulation.ts';
