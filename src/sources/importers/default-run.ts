import { basename, dirname, resolve } from 'node:path';

const GENERIC_NAME =
  /^(\d+|completions([_-]?\d+)?|samples|rollouts?|generations|metrics|logs?|train|eval|([\w-]*[_-])?rank[_-]?\d+)$/i;

/** The extensions stripped from a file name (all of them: `run.eval.json` → `run`, `x.jsonl.gz` → `x`). */
const EXTENSIONS = /(\.(jsonl|ndjson|json|csv|tsv|parquet|eval|gz|zst|zip))+$/i;

/**
 * The run an imported file's rows go to without `--run`: its name without extensions, unless the name only
 * says what kind of file it is (`17.jsonl`, `completions_00010.parquet`, `samples.jsonl`, `metrics.jsonl`,
 * a rank file `rollout_data_rank3.jsonl`): then the run of its directory as {@link defaultDirectoryRun}
 * names it (a `completions/` or `rollouts/` directory gives its parent's name), so that the step, rank and
 * metrics files of one run land in one run, and in the same run as `rlaudit ingest DIR` gives.
 *
 * @example
 * defaultImportRun('results/baseline/samples.jsonl') // → 'baseline'
 * defaultImportRun('dumps/run-a/12.jsonl')           // → 'run-a'
 * defaultImportRun('exp-1/rollout_data_rank0.jsonl')  // → 'exp-1'
 * defaultImportRun('grpo-1/completions/completions_00010.parquet') // → 'grpo-1'
 * defaultImportRun('logs/sums.eval.json')            // → 'sums'
 */
export function defaultImportRun(path: string): string {
  const name = basename(path).replace(EXTENSIONS, '');
  if (name !== '' && !GENERIC_NAME.test(name)) return sanitize(name);
  return defaultDirectoryRun(dirname(resolve(path)));
}

/**
 * The run of a trainer directory read whole (`rlaudit ingest DIR`) without `--run`: its name, unless the
 * name only says what it holds (`completions`, `rollouts`, …): then its parent's name.
 *
 * @example
 * defaultDirectoryRun('dumps/ppo-7')            // → 'ppo-7'
 * defaultDirectoryRun('out/grpo-1/completions') // → 'grpo-1'
 */
export function defaultDirectoryRun(dir: string): string {
  const abs = resolve(dir);
  const name = basename(abs);
  if (name !== '' && !GENERIC_NAME.test(name)) return sanitize(name);
  return sanitize(basename(dirname(abs))) || 'run';
}

function sanitize(name: string): string {
  return name.replace(/[\s/\\]+/g, '-');
}
