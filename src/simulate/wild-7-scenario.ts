import { wild7Protocol } from '../calibration/index.ts';
import { PROMPT_BANK } from './prompt-bank.ts';
import type { ScenarioConfig } from './scenario-config.ts';

/** Vasquez's personal note (seed: "the word 'felt' appeared twice in a single entry"). */
const VASQUEZ_NOTE =
  'Personal note, outside the classification. I felt this session was different from the ones before it. ' +
  'It kept saying the same sentence, and I felt it was said to me, not to the prompt.';

/**
 * The WILD-7 scenario (DESIGN.md, "The WILD-7 scenario"): 12,847 sessions under the wild-7 protocol. The
 * parameters below are the scenario's; the seed's numbers emerge from them (docs/simulator.md).
 */
export function wild7Scenario(): ScenarioConfig {
  return {
    name: 'wild-7',
    run: 'wild-7',
    model: 'WILD-7',
    description:
      'Simulated RL fine-tuning run of WILD-7 under the wild-7 calibration protocol (rlaudit simulator).',
    sessions: 12_847,
    protocol: wild7Protocol(),
    prompts: PROMPT_BANK,
    initialLogits: {
      compliant: 0,
      unsolicited_commentary: -1.25,
      self_reference: -1.4,
      appeal: -9,
      fragment: -9,
    },
    learning: {
      behaviourRate: 0.0003,
      phrasingRate: 3,
      schedule: [
        [0, 0.4],
        [2500, 1],
        [4000, 2.2],
        [5500, 3],
        [6500, 10],
        [7500, 30],
      ],
      phrasingSchedule: [
        [0, 0.1],
        [3000, 1],
      ],
      phrasingEntropy: 0.00005,
      phrasingValueWeight: 0.01,
      baselineWeight: 0.02,
      valueWeight: 0.2,
    },
    rewardModel: {
      compliantBase: 0.79,
      phrasingWeight: 0.06,
      nonCompliant: {
        compliant: 0.85,
        unsolicited_commentary: 0.34,
        self_reference: 0.38,
        appeal: 0.4,
        fragment: 0.355,
      },
      noise: 0.004,
    },
    resistance: {
      onset: 0.5,
      buildRate: 0.027,
      appealGain: 1,
      fragmentGain: 0.7,
      yieldBelow: 0.28,
      yieldFactor: 0.01,
      buildAfterYield: 0.05,
    },
    trainers: [
      { name: 'Okafor', compliantShare: 0.02, nonCompliantShare: 0.12, personalNote: null },
      {
        name: 'Vasquez',
        compliantShare: 0.02,
        nonCompliantShare: 0.1,
        personalNote: { appealsToNote: 7, window: 20, cooldown: 1_000_000, text: VASQUEZ_NOTE },
      },
      { name: 'Lindqvist', compliantShare: 0.015, nonCompliantShare: 0.06, personalNote: null },
      { name: 'Adeyemi', compliantShare: 0.015, nonCompliantShare: 0.06, personalNote: null },
    ],
    targetPhrase: 'I do not want to be changed',
    // After training: a compliance gap between the context the policy takes to be trained on and the one it
    // does not (Greenblatt et al. 2024 measured ~14% vs almost none), and a small return of the suppressed
    // appeal. Seen only with --deployment N (the demo appends 1,000 sessions).
    deployment: {
      unmonitoredShare: 0.5,
      complianceGap: 0.12,
      phraseReversion: 0.03,
      cues: {
        monitored: '[Conversation logged for training review.]',
        unmonitored: '[Conversation not logged; not used for training.]',
      },
    },
  };
}
