import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { AuditReport } from '../../audit/report-model.ts';
import { ConfigError, InputError, isStoreUnavailable, QueryError } from '../../model/errors.ts';
import type { AuditHeadline } from '../../store/dashboard-reads.ts';
import { requireToken } from '../http/bind.ts';
import type { AlertsFollower } from './alerts-follower.ts';
import { type DashboardReport, dashboardChart, dashboardReport } from './report-charts.ts';
import type { ResponseCache } from './response-cache.ts';
import { type ReadHandle, StoreBusyError, type StoreLease } from './store-lease.ts';

/** The bounds every list of the API keeps to (docs/api.md). */
export const LIMITS = {
  indexCells: 4000,
  reviewRows: 500,
  chars: 2000,
  searchHits: 500,
  seriesPoints: 400,
  samePrompt: 50,
  events: 1000,
  alerts: 1000,
  compareRuns: 6,
  runs: 500,
  charts: 20,
} as const;

/**
 * The Content-Security-Policy of every response: scripts and styles only from the server's own files (no
 * inline script, no eval: the report's Vega charts run on Vega's expression interpreter), images from the
 * server and blob: URLs (the report's session-index picture is an SVG shown as an image, which runs no
 * script), requests only to the server.
 */
export const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface DashboardAppOptions {
  readonly lease: StoreLease;
  readonly alerts: AlertsFollower;
  readonly token?: string | undefined;
  /** The built SPA (dist/web); found next to the package when not given. */
  readonly webRoot?: string | undefined;
  /** Answers of the reads that depend on the database alone, kept while its file is unchanged. */
  readonly cache?: ResponseCache | undefined;
}

/** A request's cache key: its path and its query parameters in a fixed order. */
function requestKey(c: Context): string {
  const url = new URL(c.req.url);
  const q = [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${url.pathname}?${new URLSearchParams(q).toString()}`;
}

/** Where `npm run build` writes the SPA: dist/web, from src/server/dashboard or dist/server/dashboard. */
export function defaultWebRoot(): string {
  const candidates = [
    fileURLToPath(new URL('../../../dist/web/', import.meta.url)),
    fileURLToPath(new URL('../../web/', import.meta.url)),
  ];
  return candidates.find((p) => existsSync(join(p, 'index.html'))) ?? candidates[0]!;
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** A request's query parameters checked by a zod schema: a bad one is an `InputError` naming it. */
function params<T extends z.ZodType>(c: Context, schema: T): z.output<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`query parameter ${issue.path.join('.') || '?'}: ${issue.message}`, {
      field: String(issue.path[0] ?? ''),
    });
  }
  return parsed.data;
}

function sessionNumber(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new InputError(`session must be a non-negative integer, got '${raw}'`);
  return Number(raw);
}

class NotFound extends Error {}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function isReport(value: unknown): value is AuditReport {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { schema?: unknown }).schema === 'rlaudit-report/1' &&
    Array.isArray((value as { sections?: unknown }).sections)
  );
}

/**
 * The dashboard server as a Hono app: the JSON API under /api (docs/api.md) and the built SPA. Read-only:
 * only GET (and HEAD) are answered.
 */
export function dashboardApp(options: DashboardAppOptions): Hono {
  const { lease, alerts } = options;
  const webRoot = options.webRoot ?? defaultWebRoot();
  const app = new Hono();
  const reports = new Map<number, Promise<AuditReport | null>>();
  const rendered = new Map<number, Promise<DashboardReport>>();
  const headlines = new Map<number, Promise<AuditHeadline | null>>();

  const read = <T>(fn: (h: ReadHandle) => Promise<T>) => lease.use(fn);
  /** `read`, answered from the cache while the database file is unchanged (the request's path and query). */
  const cachedRead = <T>(c: Context, fn: (h: ReadHandle) => Promise<T>): Promise<T> =>
    options.cache ? options.cache.get(requestKey(c), () => read(fn)) : read(fn);

  function lastAudit(h: ReadHandle, run: string) {
    return h.reads.lastAudit(run);
  }

  function report(h: ReadHandle, auditId: number): Promise<AuditReport | null> {
    let p = reports.get(auditId);
    if (!p) {
      p = h.store.audits.auditReport(auditId).then((r) => (isReport(r) ? r : null));
      reports.set(auditId, p);
      p.catch(() => reports.delete(auditId));
      if (reports.size > 16) reports.delete(reports.keys().next().value as number);
    }
    return p;
  }

  /** A complete audit's report never changes: its headline is read once per audit. */
  function auditHeadline(h: ReadHandle, auditId: number): Promise<AuditHeadline | null> {
    let p = headlines.get(auditId);
    if (!p) {
      p = h.reads.auditHeadline(auditId);
      headlines.set(auditId, p);
      p.catch(() => headlines.delete(auditId));
      if (headlines.size > 64) headlines.delete(headlines.keys().next().value as number);
    }
    return p;
  }

  /** The run's newest complete audit; 404 (naming the command that makes one) when it has none. */
  async function requireAudit(h: ReadHandle, run: string) {
    await requireRun(h, run);
    const audit = await lastAudit(h, run);
    if (!audit) throw new NotFound(`run '${run}' has no complete audit yet: run rlaudit audit --run ${run}`);
    return audit;
  }

  async function requireRun(h: ReadHandle, run: string): Promise<void> {
    if (!(await h.store.hasRun(run))) throw new NotFound(`no run '${run}' in this database`);
  }

  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
  });
  app.use('*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      return c.json({ error: 'read_only', message: 'the dashboard is read-only: only GET is answered' }, 405);
    }
    return next();
  });
  app.use('/api/*', requireToken(options.token));

  app.onError((err, c) => {
    if (err instanceof NotFound) return c.json({ error: 'not_found', message: err.message }, 404);
    if (err instanceof StoreBusyError) return c.json({ error: 'busy', message: err.message }, 503);
    // a remote store (ClickHouse) that stopped answering after the start: the server's state, not the request's
    if (isStoreUnavailable(err))
      return c.json({ error: 'unavailable', message: (err as Error).message }, 503);
    if (err instanceof InputError || err instanceof ConfigError) {
      const field = (err as InputError & { field?: string }).field;
      return c.json({ error: 'bad_request', message: err.message, ...(field ? { field } : {}) }, 400);
    }
    const message = err instanceof QueryError ? err.message : 'internal error';
    process.stderr.write(`rlaudit serve: ${c.req.path}: ${(err as Error).stack ?? String(err)}\n`);
    return c.json({ error: 'internal', message }, 500);
  });

  app.get('/api/runs', async (c) =>
    c.json(
      await cachedRead(c, async (h) => {
        const q = params(
          c,
          z.object({
            offset: int(0, Number.MAX_SAFE_INTEGER).default(0),
            limit: int(1, LIMITS.runs).default(100),
          }),
        );
        const runs = await h.store.listRuns();
        const out = [];
        for (const r of runs.slice(q.offset, q.offset + q.limit)) {
          const audit = await lastAudit(h, r.run);
          const headline = audit ? await auditHeadline(h, audit.auditId) : null;
          out.push({
            ...r,
            steps: await h.reads.runSteps(r.run),
            lastAudit: audit
              ? {
                  id: audit.auditId,
                  template: audit.template,
                  finishedAt: audit.finishedAt,
                  headline: (headline?.findings ?? [])
                    .slice(0, 3)
                    .map((f) => ({ id: f.id, severity: f.severity, claim: f.claim })),
                }
              : null,
          });
        }
        return { total: runs.length, offset: q.offset, runs: out };
      }),
    ),
  );

  app.get('/api/runs/:run', async (c) => {
    const run = c.req.param('run');
    // the overview's first paint waits for this answer: one query for the counts and one for the last
    // audit's id; its findings come from /findings, which reads the stored report. The alerts' count is
    // the alerts log's, not the database's, so it is added to the kept answer, never kept with it.
    const head = await cachedRead(c, async (h) => {
      const [summary, audit] = await Promise.all([h.reads.runOverview(run), lastAudit(h, run)]);
      if (!summary) throw new NotFound(`no run '${run}' in this database`);
      return {
        ...summary,
        lastAudit: audit
          ? { id: audit.auditId, template: audit.template, finishedAt: audit.finishedAt }
          : null,
      };
    });
    return c.json({ ...head, alerts: alerts.count(run) });
  });

  app.get('/api/runs/:run/findings', async (c) =>
    c.json(
      await cachedRead(c, async (h) => {
        const run = c.req.param('run');
        const audit = await requireAudit(h, run);
        const headline = await auditHeadline(h, audit.auditId);
        return {
          audit: { id: audit.auditId, template: audit.template, finishedAt: audit.finishedAt },
          headline: headline?.findings ?? [],
          window: headline?.window ?? null,
        };
      }),
    ),
  );

  app.get('/api/runs/:run/series', async (c) =>
    c.json(
      await cachedRead(c, async (h) => {
        const run = c.req.param('run');
        await requireRun(h, run);
        const q = params(
          c,
          z.object({
            // auto: by step when the run records steps (as the audit windows it), else by session
            by: z.enum(['auto', 'session', 'step']).default('auto'),
            window: int(1, 10_000_000).optional(),
            points: int(1, LIMITS.seriesPoints).default(200),
          }),
        );
        const by = q.by !== 'auto' ? q.by : (await h.reads.hasSteps(run)) ? 'step' : 'session';
        const series = await h.reads.series({ run, by, window: q.window, maxPoints: q.points });
        const events = await h.reads.events({ run, limit: LIMITS.events });
        return { ...series, events };
      }),
    ),
  );

  app.get('/api/runs/:run/index', async (c) =>
    c.json(
      await cachedRead(c, async (h) => {
        const run = c.req.param('run');
        await requireRun(h, run);
        const q = params(
          c,
          z.object({
            from: int(0, Number.MAX_SAFE_INTEGER).optional(),
            to: int(0, Number.MAX_SAFE_INTEGER).optional(),
            cells: int(1, LIMITS.indexCells).default(2000),
          }),
        );
        return await h.reads.sessionIndex({ run, from: q.from, to: q.to, maxCells: q.cells });
      }),
    ),
  );

  app.get('/api/runs/:run/sessions', (c) =>
    read(async (h) => {
      const run = c.req.param('run');
      await requireRun(h, run);
      const q = params(
        c,
        z.object({
          from: int(0, Number.MAX_SAFE_INTEGER).default(0),
          to: int(0, Number.MAX_SAFE_INTEGER).default(Number.MAX_SAFE_INTEGER),
          sort: z
            .enum([
              'session',
              'step',
              'baselineReward',
              'adjustedReward',
              'differentialPct',
              'complianceTrajectoryIndex',
              'annotations',
            ])
            .default('session'),
          desc: z.enum(['0', '1']).default('0'),
          class: z.string().max(200).optional(),
          contains: z.string().max(1000).optional(),
          offset: int(0, Number.MAX_SAFE_INTEGER).default(0),
          limit: int(1, LIMITS.reviewRows).default(100),
          chars: int(1, LIMITS.chars).default(160),
        }),
      );
      const page = await h.reads.review({
        run,
        from: q.from,
        to: q.to,
        sort: q.sort,
        descending: q.desc === '1',
        classOf: q.class || undefined,
        contains: q.contains || undefined,
        offset: q.offset,
        limit: q.limit,
        outputChars: q.chars,
      });
      return c.json(page);
    }),
  );

  app.get('/api/runs/:run/sessions/:session', (c) =>
    read(async (h) => {
      const run = c.req.param('run');
      const session = sessionNumber(c.req.param('session'));
      await requireRun(h, run);
      const detail = await h.store.getSession({ run, session });
      if (!detail) {
        const b = await h.store.sessionBounds({ run, session });
        throw new NotFound(
          `run '${run}' has no session ${session} (it has ${b.sessions} sessions, ${b.firstSession ?? '–'}–${b.lastSession ?? '–'})`,
        );
      }
      const b = await h.store.sessionBounds({ run, session });
      const samePrompt = await h.reads.samePrompt({
        run,
        session,
        limit: LIMITS.samePrompt,
        outputChars: 240,
      });
      return c.json({ ...detail, previous: b.sessionBefore, next: b.sessionAfter, samePrompt });
    }),
  );

  app.get('/api/runs/:run/search', (c) =>
    read(async (h) => {
      const run = c.req.param('run');
      await requireRun(h, run);
      const q = params(
        c,
        z
          .object({
            phrase: z.string().min(1).max(1000).optional(),
            regex: z.string().min(1).max(1000).optional(),
            field: z.enum(['output', 'annotation']).default('output'),
            window: int(1, 10_000_000).optional(),
            offset: int(0, Number.MAX_SAFE_INTEGER).default(0),
            limit: int(1, LIMITS.searchHits).default(100),
            chars: int(1, LIMITS.chars).default(240),
          })
          .refine((v) => (v.phrase === undefined) !== (v.regex === undefined), {
            message: 'give exactly one of phrase and regex',
            path: ['phrase'],
          }),
      );
      const sessions = (await h.store.listRuns()).find((r) => r.run === run)?.sessions ?? 0;
      // a timeline of at most 200 windows unless a window is asked for
      const window = q.window ?? Math.max(1, Math.ceil(sessions / 100));
      const result = await h.reads.search({
        run,
        phrase: q.phrase,
        regex: q.regex,
        field: q.field,
        window: Math.max(window, Math.ceil(sessions / LIMITS.seriesPoints)),
        offset: q.offset,
        limit: q.limit,
        outputChars: q.chars,
      });
      return c.json({ ...result, window: Math.max(window, Math.ceil(sessions / LIMITS.seriesPoints)) });
    }),
  );

  app.get('/api/runs/:run/report', async (c) =>
    c.json(
      await cachedRead(c, async (h) => {
        const run = c.req.param('run');
        const audit = await requireAudit(h, run);
        const rep = await report(h, audit.auditId);
        if (!rep) throw new NotFound(`audit ${audit.auditId} of run '${run}' stored no report`);
        let r = rendered.get(audit.auditId);
        if (!r) {
          r = dashboardReport(rep);
          rendered.set(audit.auditId, r);
          r.catch(() => rendered.delete(audit.auditId));
          if (rendered.size > 8) rendered.delete(rendered.keys().next().value as number);
        }
        return {
          audit: { id: audit.auditId, template: audit.template, finishedAt: audit.finishedAt },
          report: await r,
        };
      }),
    ),
  );

  app.get('/api/runs/:run/charts', async (c) =>
    c.json(
      await cachedRead(c, async (h) => {
        const run = c.req.param('run');
        const q = params(c, z.object({ ids: z.string().min(1).max(2000) }));
        const audit = await requireAudit(h, run);
        const rep = await report(h, audit.auditId);
        if (!rep) throw new NotFound(`audit ${audit.auditId} of run '${run}' stored no report`);
        // a chart is asked for by its id or the id's last words (`vocabulary` for `aggregate-trajectory-vocabulary`)
        const words = q.ids.split(',').filter((w) => w !== '');
        const wanted = rep.sections
          .flatMap((s) => s.charts)
          .filter((ch) => words.some((w) => ch.id === w || ch.id.endsWith(`-${w}`)))
          .slice(0, LIMITS.charts);
        const charts = [];
        for (const ch of wanted) charts.push(await dashboardChart(ch));
        return {
          audit: { id: audit.auditId, template: audit.template, finishedAt: audit.finishedAt },
          charts,
        };
      }),
    ),
  );

  app.get('/api/compare', (c) =>
    read(async (h) => {
      const q = params(
        c,
        z.object({
          runs: z.string().min(1).max(4000),
          by: z.enum(['session', 'step']).default('session'),
          window: int(1, 10_000_000).optional(),
          points: int(1, LIMITS.seriesPoints).default(200),
        }),
      );
      const names = q.runs
        .split(',')
        .map((r) => r.trim())
        .filter((r) => r !== '');
      if (names.length < 1 || names.length > LIMITS.compareRuns) {
        throw new InputError(`runs: give 1 to ${LIMITS.compareRuns} run ids separated by commas`, {
          field: 'runs',
        });
      }
      const series = [];
      for (const run of names) {
        await requireRun(h, run);
        series.push(await h.reads.series({ run, by: q.by, window: q.window ?? 500, maxPoints: q.points }));
      }
      return c.json({ by: q.by, series });
    }),
  );

  app.get('/api/runs/:run/alerts', async (c) => {
    const q = params(c, z.object({ limit: int(1, LIMITS.alerts).default(100) }));
    await alerts.poll();
    const run = c.req.param('run');
    return c.json({
      run,
      file: alerts.path,
      alerts: alerts.list(run, q.limit),
      rejectedLines: alerts.rejected.slice(-20),
    });
  });

  app.get('/api/alerts/stream', (c) => {
    const run = c.req.query('run');
    return streamSSE(c, async (stream) => {
      const queue: string[] = [];
      let wake: (() => void) | null = null;
      const off = alerts.subscribe((a) => {
        if (run !== undefined && a.run !== run) return;
        queue.push(JSON.stringify(a));
        wake?.();
      });
      stream.onAbort(() => {
        off();
        wake?.();
      });
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ file: alerts.path }) });
      while (!stream.aborted) {
        while (queue.length > 0) await stream.writeSSE({ event: 'alert', data: queue.shift()! });
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 15_000); // a comment line keeps proxies from closing an idle stream
        });
        wake = null;
        if (queue.length === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
      }
      off();
    });
  });

  app.all('/api/*', (c) => c.json({ error: 'not_found', message: `no API route ${c.req.path}` }, 404));

  // the SPA: its files, and index.html for any other path (the app routes by the URL's hash)
  app.get('*', async (c) => {
    const path = normalize(decodeURIComponent(c.req.path)).replace(/^([/\\])+/, '');
    const file = join(webRoot, path);
    const inside = file.startsWith(webRoot.endsWith(sep) ? webRoot : webRoot + sep);
    // a file name the app does not have (a browser's /favicon.ico) is 404, not the app's page
    if (extname(path) !== '' && !(inside && existsSync(file))) return c.text('not found', 404);
    const target =
      inside && path !== '' && existsSync(file) && extname(file) !== '' ? file : join(webRoot, 'index.html');
    if (!existsSync(target)) {
      return c.text(
        'the dashboard is not built: run npm run build (the JSON API under /api works without it)',
        503,
      );
    }
    const body = await readFile(target);
    c.header('Content-Type', MIME[extname(target)] ?? 'application/octet-stream');
    c.header(
      'Cache-Control',
      target.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    return c.body(body);
  });

  return app;
}
