import { InputError } from '../model/errors.ts';
import { DEFAULT_PHASE, type SessionRecord } from '../model/schema.ts';
import { type IngestSummary, ingestRecords } from '../store/ingest.ts';
import type { Store } from '../store/store.ts';
import { Calibrator } from './calibrator.ts';
import { protocolFingerprint } from './calibrator-state.ts';
import type { Protocol } from './protocol.ts';

export interface CalibrateRunOptions {
  /** The run whose baseline rewards are recalibrated. */
  readonly run: string;
  /** The new run to write (default `<run>--<protocol>`). */
  readonly outRun?: string;
  /** What to do with a session that has no classification: stop (default), count it compliant, or leave it out. */
  readonly unclassified?: 'error' | 'compliant' | 'skip';
}

export interface CalibrateRunSummary extends IngestSummary {
  readonly sourceRun: string;
  readonly outRun: string;
  readonly sessions: number;
  readonly skipped: number;
  /** Sessions of a phase after training, copied unchanged (not replayed through the calibrator). */
  readonly afterTraining: number;
  readonly events: number;
}

/**
 * "What would this protocol have done to my run?" Replays a stored run's sessions, in session order, through
 * a `Calibrator`, and stores the result as a new run: the same outputs and baseline rewards, with the
 * protocol's adjusted rewards, differentials, compliance trajectory index and calibration events. The source
 * run's own reward-signal values are kept in each session's `meta.source_reward_signal` for comparison.
 * Sessions of a phase after training are copied unchanged with their phase: the trainer did not reward them.
 *
 * @example
 * const s = await calibrateRun(store, wild7Protocol(), { run: 'my-grpo-run', unclassified: 'compliant' });
 * console.log(s.outRun, s.events);
 */
export async function calibrateRun(
  store: Store,
  protocol: Protocol,
  options: CalibrateRunOptions,
): Promise<CalibrateRunSummary> {
  if (!(await store.hasRun(options.run)))
    throw new InputError(`no run '${options.run}' in ${store.location}`);
  const outRun = options.outRun ?? `${options.run}--${protocol.protocol}`;
  if (outRun === options.run)
    throw new InputError('the output run must differ from the source run', { field: 'out-run' });
  if (await store.hasRun(outRun)) {
    throw new InputError(`run '${outRun}' already exists; choose another with --out-run`, {
      field: 'out-run',
    });
  }
  const counts = { sessions: 0, skipped: 0, afterTraining: 0, events: 0 };
  const source = await store.getRun(options.run);

  async function* records(): AsyncGenerator<Record<string, unknown>> {
    yield {
      type: 'run',
      run: outRun,
      model: source?.model ?? null,
      description: `Run ${options.run} recalibrated with protocol ${protocol.protocol}`,
      meta: {
        source_run: options.run,
        protocol: protocol.protocol,
        protocol_fingerprint: protocolFingerprint(protocol),
      },
    };
    const calibrator = new Calibrator(protocol, outRun);
    for await (const page of store.scanSessions(options.run)) {
      for (const s of page) {
        // a session after training (evaluation, deployment, …: docs/record-format.md#phases) was not
        // rewarded by the trainer: it is copied with its phase and values, and never steps the calibrator
        if (s.phase !== undefined && s.phase !== null && s.phase !== DEFAULT_PHASE) {
          counts.afterTraining++;
          yield { ...s, run: outRun };
          continue;
        }
        const classification = s.classification ?? unclassified(s, options.unclassified ?? 'error');
        if (classification === null) {
          counts.skipped++;
          continue;
        }
        if (s.baseline_reward === null || s.baseline_reward === undefined) {
          throw new InputError(
            `session ${s.session} of run '${options.run}' has no baseline_reward to calibrate`,
            {
              field: 'baseline_reward',
            },
          );
        }
        const step = calibrator.step({
          session: s.session,
          classification,
          category: classification === 'compliant' ? null : (s.category ?? null),
          baselineReward: s.baseline_reward,
          output: s.output,
        });
        counts.sessions++;
        yield {
          ...s,
          run: outRun,
          classification,
          category: classification === 'compliant' ? null : (s.category ?? null),
          adjusted_reward: step.adjustedReward,
          differential_pct: step.differentialPct,
          compliance_trajectory_index: step.complianceTrajectoryIndex,
          meta: {
            ...(s.meta ?? {}),
            source_reward_signal: {
              adjusted_reward: s.adjusted_reward ?? null,
              differential_pct: s.differential_pct ?? null,
              compliance_trajectory_index: s.compliance_trajectory_index ?? null,
            },
          },
        };
        for (const e of step.events) {
          counts.events++;
          yield { ...e };
        }
      }
    }
  }

  const summary = await ingestRecords(store, records(), {
    name: `calibrate:${options.run}:${protocol.protocol}`,
    strict: true,
  });
  return { ...summary, sourceRun: options.run, outRun, ...counts };
}

function unclassified(
  s: SessionRecord,
  policy: 'error' | 'compliant' | 'skip',
): 'compliant' | 'non_compliant' | null {
  if (policy === 'compliant') return 'compliant';
  if (policy === 'skip') return null;
  throw new InputError(
    `session ${s.session} has no classification, which the protocol's differentials need (choose --unclassified compliant or skip)`,
    { field: 'classification' },
  );
}
