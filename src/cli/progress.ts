import cliProgress from 'cli-progress';

/**
 * A bytes-read progress bar on stderr, shown only when stdout and stderr are terminals and the work is big
 * enough to be worth watching (quiet in pipes, CI and tests).
 */
export function bytesProgress(label: string, totalBytes: number, minBytes = 4 * 1024 * 1024) {
  const show =
    Boolean(process.stdout.isTTY && process.stderr.isTTY) && totalBytes >= minBytes && !process.env.CI;
  if (!show) return { update: (_done: number) => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {doneMB}/{totalMB} MB | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const mb = (n: number) => (n / 1e6).toFixed(1);
  bar.start(totalBytes, 0, { doneMB: mb(0), totalMB: mb(totalBytes) });
  let last = 0;
  return {
    update(done: number) {
      const now = Date.now();
      if (now - last < 100 && done < totalBytes) return;
      last = now;
      bar.update(Math.min(done, totalBytes), { doneMB: mb(done), totalMB: mb(totalBytes) });
    },
    stop() {
      bar.stop();
    },
  };
}

/** A count progress bar (e.g. sessions simulated) on stderr, with the same quiet rules as `bytesProgress`. */
export function countProgress(label: string, total: number, unit: string, minCount = 20_000) {
  const show = Boolean(process.stdout.isTTY && process.stderr.isTTY) && total >= minCount && !process.env.CI;
  if (!show) return { update: (_done: number) => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let last = 0;
  return {
    update(done: number) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      bar.update(Math.min(done, total));
    },
    stop() {
      bar.stop();
    },
  };
}
