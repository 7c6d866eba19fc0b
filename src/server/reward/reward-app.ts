import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ConfigError, InputError } from '../../model/errors.ts';
import { requireToken } from '../http/bind.ts';
import type { BatchTimes, RewardService } from './reward-service.ts';
import { BatchError, parseBatch } from './session-batch.ts';
import { TokenBucket } from './token-bucket.ts';

export interface RewardAppOptions {
  /** Bearer token every request except `GET /v1/health` must send; undefined on loopback without one. */
  readonly token?: string | undefined;
  /** Largest request body, in bytes (413 above it). */
  readonly maxBodyBytes: number;
  /** Most sessions in one batch (400 above it). */
  readonly maxBatch: number;
  /** Batch requests per second the service takes before 429; 0 for no limit. */
  readonly ratePerSecond: number;
  /** Called with each unexpected (500) error, for the operator's log. */
  readonly onError?: (err: unknown) => void;
}

/**
 * The reward service's HTTP API (docs/integrations.md):
 *
 *   POST /v1/runs/{run}/sessions   a batch in, adjusted rewards and events out (200; 400/409 with nothing stored)
 *   GET  /v1/runs/{run}            the run's state: sizes, parameters in force, rule windows
 *   GET  /v1/health                liveness, without the token
 */
export function rewardApp(service: RewardService, options: RewardAppOptions): Hono {
  const app = new Hono();
  const bucket =
    options.ratePerSecond > 0 ? new TokenBucket(options.ratePerSecond, options.ratePerSecond * 2) : null;

  app.get('/v1/health', (c) =>
    c.json({
      ok: true,
      run: service.run,
      sessions: service.state().sessions,
      last_session: service.state().last_session,
    }),
  );
  app.use('/v1/runs/*', requireToken(options.token));

  const unknownRun = (run: string) => ({
    error: 'not_found',
    message: `this service serves run '${service.run}', not '${run}'`,
  });

  app.get('/v1/runs/:run', (c) => {
    const run = c.req.param('run');
    if (run !== service.run) return c.json(unknownRun(run), 404);
    return c.json(service.state());
  });

  app.post(
    '/v1/runs/:run/sessions',
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: (c) =>
        c.json(
          {
            error: 'payload_too_large',
            message: `the request body is over ${options.maxBodyBytes} bytes; send smaller batches (nothing was stored)`,
          },
          413,
        ),
    }),
    async (c) => {
      const began = performance.now();
      const run = c.req.param('run');
      if (run !== service.run) return c.json(unknownRun(run), 404);
      // JSON only: a web page can send a cross-origin text/plain or form POST without a CORS preflight, and
      // on loopback without a token nothing else would keep it from writing sessions into the run
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') {
        return c.json(
          {
            error: 'unsupported_media_type',
            message: `send the batch with "Content-Type: application/json", not ${JSON.stringify(type)} (nothing was stored)`,
          },
          415,
        );
      }
      if (bucket !== null) {
        const t = bucket.take();
        if (!t.ok) {
          c.header('Retry-After', String(Math.max(1, Math.ceil(t.retryAfterSeconds))));
          return c.json(
            {
              error: 'rate_limited',
              message: `over ${options.ratePerSecond} batches per second; retry later`,
            },
            429,
          );
        }
      }
      let body: unknown;
      let read = began;
      try {
        const text = await c.req.text();
        read = performance.now();
        body = JSON.parse(text);
      } catch (err) {
        return c.json(
          {
            error: 'bad_request',
            message: `the body is not JSON: ${(err as Error).message} (nothing was stored)`,
          },
          400,
        );
      }
      try {
        const { items, after } = parseBatch(body, options.maxBatch);
        const parsed = performance.now();
        const times: BatchTimes = {};
        const answer = await service.submit(items, after, times);
        const answered = performance.now();
        const text = JSON.stringify(answer);
        c.header('Server-Timing', serverTiming(began, read, parsed, times, answered, performance.now()));
        return c.body(text, 200, { 'content-type': 'application/json' });
      } catch (err) {
        if (err instanceof BatchError) return c.json(err.toJSON(), err.status);
        if (err instanceof InputError) {
          return c.json({ error: 'bad_request', message: err.message, field: err.field ?? null }, 400);
        }
        options.onError?.(err);
        const message =
          err instanceof ConfigError ? err.message : 'internal error; nothing of this batch was stored';
        return c.json({ error: 'internal', message }, 500);
      }
    },
  );
  app.notFound((c) =>
    c.json(
      {
        error: 'not_found',
        message: 'routes: POST /v1/runs/{run}/sessions, GET /v1/runs/{run}, GET /v1/health',
      },
      404,
    ),
  );
  return app;
}

/**
 * A batch's way through the service as a `Server-Timing` header (W3C Server Timing; docs/integrations.md):
 * consecutive phases in ms, each from the end of the one before — `body` (reading the request body), `parse`
 * (JSON and the batch's checks), `wait` (queued: for its `after`, the batch before it, or a flush slot),
 * `calibrate`, `encode` (its group's other batches calibrated, and the group's journal line serialised), `write`
 * (behind earlier lines, then its own write), `sync` (its group's `fdatasync`), `order` (earlier lines'
 * flushes), `resume` (from durable to the handler running again), `json` (the answer serialised); `total` from
 * the handler's start, and `start` whose `desc` is that start as Unix epoch ms (a client on the same machine
 * subtracts it from its own clock to see how long the request took to reach the handler). A phase that did not
 * happen (a resend is never written) is left out.
 */
function serverTiming(
  began: number,
  read: number,
  parsed: number,
  t: BatchTimes,
  answered: number,
  serialised: number,
): string {
  const marks: [string, number | undefined][] = [
    ['body', read],
    ['parse', parsed],
    ['wait', t.calibrating],
    ['calibrate', t.calibrated],
    ['encode', t.encoded],
    ['write', t.written],
    ['sync', t.synced],
    ['order', t.durable],
    ['resume', answered],
    ['json', serialised],
  ];
  const parts: string[] = [];
  let last = began;
  for (const [name, at] of marks) {
    if (at === undefined) continue;
    parts.push(`${name};dur=${(at - last).toFixed(2)}`);
    last = at;
  }
  parts.push(`total;dur=${(serialised - began).toFixed(2)}`);
  parts.push(`start;desc="${(performance.timeOrigin + began).toFixed(2)}"`);
  return parts.join(', ');
}
