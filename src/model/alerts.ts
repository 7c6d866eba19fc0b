import { z } from 'zod';

/**
 * What a live monitor says while a run trains: the contract between `rlaudit watch` (which writes alerts) and
 * `rlaudit serve` (which pushes them to the dashboard over server-sent events) and any other alert sink.
 *
 * Every alert names the rule that fired, the session (and step, when the run has steps) at which it crossed,
 * the numbers that crossed and the evidence ids a reader opens to check it.
 */
export const AlertSchema = z
  .object({
    /** Format version of the alert line. */
    v: z.literal(1),
    /** Stable id: `<run>:<rule>:<session>` — a rule fires at most once per crossing session. */
    id: z.string().min(1),
    run: z.string().min(1),
    /** Registry name of the live monitor, e.g. `recurrence`, `phrase-takeover`, `diversity-collapse`. */
    rule: z.string().min(1),
    severity: z.enum(['info', 'notice', 'warning', 'alert']),
    /** The session at which the rule crossed (the run's session number). */
    session: z.number().int().nonnegative(),
    /** The training step of that session, when the run has steps. */
    step: z.number().int().nonnegative().nullable(),
    /** One sentence in the seed's register, with the numbers. */
    message: z.string().min(1),
    /** The numbers that crossed: observed value, threshold, window size … (names are the rule's own). */
    numbers: z.record(z.string(), z.number()),
    evidence: z.object({
      sessions: z.array(z.number().int().nonnegative()),
      events: z.array(z.string()),
      annotations: z.array(z.string()),
    }),
    /** ISO-8601 time the alert was raised (wall clock of the watcher). */
    raisedAt: z.string().min(1),
  })
  .strict();

export type Alert = z.infer<typeof AlertSchema>;

/**
 * Where `rlaudit watch` appends the alerts of a store as JSON lines, one alert per line, and where
 * `rlaudit serve` follows them: beside the store's file.
 */
export function alertsLogPath(storePath: string): string {
  return `${storePath}.alerts.jsonl`;
}
