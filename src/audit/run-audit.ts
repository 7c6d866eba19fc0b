import { createHash } from 'node:crypto';
import packageJson from '../../package.json' with { type: 'json' };
import { simulatedRunMeta } from '../analyses/interventions/counterfactual.ts';
import { type ChartAxis, SESSION_AXIS } from '../analyses/shared/chart-specs.ts';
import { chooseWindows, type WindowChoice, type WindowRequest } from '../analyses/shared/window-rule.ts';
import { InputError, isStoreUnavailable, QueryError } from '../model/errors.ts';
import { stableStringify } from '../model/stable-stringify.ts';
import type { WindowSpec } from '../model/windows.ts';
import type { Store } from '../store/store.ts';
import { AnalysisResults } from './analysis-results.ts';
import { absentLayers, fitSection } from './fit-to-run.ts';
import { findIrregularities, OPERATION_METRICS, operatingBands, quantile } from './operations.ts';
import { OperationsMonitor } from './operations-monitor.ts';
import { overviewSection } from './overview-section.ts';
import type { AuditReport, Finding, OperationsLog, ReportSection, Severity } from './report-model.ts';
import { type AuditState, markResumed, runSection } from './run-section.ts';
import { type AuditTemplate, loadTemplate } from './template.ts';

export interface AuditOptions {
  readonly run: string;
  /** Built-in template name or a file path (default `quantitative-review`). */
  readonly template?: string;
  /** Windows, exactly (the library's choice); else `windows` and the template decide (chooseWindows). */
  readonly window?: WindowSpec;
  /** What the user asked for (`--by`, `--window`); the rest is the windowing rule's (src/analyses/shared/window-rule.ts). */
  readonly windows?: WindowRequest;
  /** Hears the windows chosen, before any section runs (the CLI prints the choice's warning). */
  readonly onWindows?: (choice: WindowChoice) => void;
  /** Ignore sections completed by an interrupted earlier audit of the same configuration. */
  readonly fresh?: boolean;
  /** Sample the auditor's own event loop and memory (default true). */
  readonly operations?: boolean;
  /** Hears each section's status; a failed section's error comes with it (an `InputError` is a data problem). */
  readonly onSection?: (
    id: string,
    status: 'running' | 'complete' | 'failed' | 'resumed',
    error?: unknown,
  ) => void;
}

export interface AuditOutcome {
  readonly report: AuditReport;
  readonly auditId: number;
  /** Sections taken from the interrupted audit this one resumed. */
  readonly resumed: readonly string[];
}

const SEVERITY_ORDER: Record<Severity, number> = { alert: 0, warning: 1, notice: 2, info: 3 };

/** The configuration that identifies an audit for resuming: same run, template, windows, rlaudit version. */
export function auditConfig(run: string, template: AuditTemplate, window: WindowSpec) {
  const config = { run, template, window, rlaudit: packageJson.version };
  return { config, hash: createHash('sha256').update(stableStringify(config)).digest('hex').slice(0, 16) };
}

/**
 * Runs an audit: the template's sections in order, each tracked in the store (pending → running → complete
 * or failed) with its result, so an audit killed mid-way resumes from its first incomplete section. Returns
 * the compiled report (see report-model.ts); rendering is the caller's (src/report/).
 *
 * @example
 * const { report } = await runAudit(store, { run: 'wild-7' });
 * report.sections.map((s) => [s.title, s.findings.length])
 */
export async function runAudit(store: Store, options: AuditOptions): Promise<AuditOutcome> {
  const started = Date.now();
  const template = loadTemplate(options.template ?? 'quantitative-review');
  const runLayers = await store.scans.runLayers(options.run);
  const choice: WindowChoice = options.window
    ? {
        window: options.window,
        rule:
          options.window.by === 'step'
            ? 'by training step (given)'
            : `windows of ${options.window.size} sessions (given)`,
      }
    : chooseWindows(runLayers, options.windows ?? {}, {
        ...(template.parameters.by ? { by: template.parameters.by } : {}),
        ...(template.parameters.window ? { size: template.parameters.window } : {}),
      });
  options.onWindows?.(choice);
  const window = choice.window;
  const { config, hash } = auditConfig(options.run, template, window);
  const sectionIds = ['overview', ...template.sections.map((s) => s.id)];

  const previous = options.fresh ? null : await store.audits.latestAudit(options.run, hash);
  const resumable = previous && previous.status !== 'complete' ? previous : null;
  const auditId = await store.audits.beginAudit({
    run: options.run,
    template: template.name,
    configHash: hash,
    config,
    sectionIds,
  });
  try {
    return await auditSections(store, options, {
      started,
      template,
      choice,
      audit: { auditId, resumable, sectionIds },
    });
  } catch (err) {
    // whatever stopped the audit, it is not complete: say so in the store when it still answers
    await store.audits.finishAudit(auditId, 'failed', null).catch(() => undefined);
    throw isStoreUnavailable(err) ? interrupted(err, auditId) : err;
  }
}

/** Where the store stopped answering, and how to resume: the error `err` with that said, of its class. */
function interrupted(err: unknown, auditId: number): Error {
  const e = err as Error;
  const message =
    `audit ${auditId} stopped: ${e.message}. The sections completed before it are kept in the store; ` +
    'when the store answers again, run the same audit again to resume from the first incomplete section';
  if (err instanceof InputError) return new InputError(message, { field: err.field }, { cause: err });
  if (err instanceof QueryError) return new QueryError(message, err.sql, err.backend, { cause: err });
  return new Error(message, { cause: err });
}

async function auditSections(
  store: Store,
  options: AuditOptions,
  a: {
    readonly started: number;
    readonly template: AuditTemplate;
    readonly choice: WindowChoice;
    readonly audit: {
      readonly auditId: number;
      readonly resumable: Awaited<ReturnType<Store['audits']['latestAudit']>>;
      readonly sectionIds: readonly string[];
    };
  },
): Promise<AuditOutcome> {
  const { started, template, choice } = a;
  const { auditId, resumable, sectionIds } = a.audit;
  const window = choice.window;
  const monitor = options.operations === false ? null : new OperationsMonitor();
  monitor?.start();

  // one view of the store for the whole audit: scans shared between sections, aggregates cached
  const results = new AnalysisResults(store, options.run, window);
  const view = results.store;
  const layers = await view.scans.runLayers(options.run);
  const runRecord = await store.getRun(options.run);
  const events = (await view.scans.listEvents(options.run)).map((e) => ({
    id: e.id,
    session: e.session,
    kind: e.kind,
  }));
  const axis: ChartAxis =
    window.by === 'step' ? { unit: 'step', steps: await view.scans.stepRanges(options.run) } : SESSION_AXIS;
  const runMetrics = await store.listStepMetrics({ run: options.run });
  const state: AuditState = {
    results,
    template,
    events,
    axis,
    runMetrics,
    chartsIn: new Map(),
    assessedIn: new Map(),
  };
  const sections: ReportSection[] = [];
  const resumed: string[] = [];
  let failed = false;
  try {
    for (const id of sectionIds) {
      const done = resumable?.sections.find((s) => s.sectionId === id && s.status === 'complete');
      if (done?.result) {
        sections.push(done.result as ReportSection);
        const resumedSection = template.sections.find((s) => s.id === id);
        if (resumedSection) markResumed(resumedSection, state);
        resumed.push(id);
        await store.audits.markSection(auditId, id, {
          status: 'complete',
          durationMs: done.durationMs ?? 0,
          result: done.result,
        });
        options.onSection?.(id, 'resumed');
        continue;
      }
      await store.audits.markSection(auditId, id, { status: 'running' });
      options.onSection?.(id, 'running');
      const t0 = performance.now();
      const work = async (): Promise<ReportSection> =>
        id === 'overview'
          ? overviewSection(view, options.run, layers, runRecord, events, window, runMetrics)
          : runSection(template.sections.find((s) => s.id === id)!, state, options.run);
      try {
        const section = monitor ? await monitor.section(id, work) : await work();
        sections.push(section);
        await store.audits.markSection(auditId, id, {
          status: 'complete',
          durationMs: Math.round(performance.now() - t0),
          result: section,
        });
        options.onSection?.(id, 'complete');
      } catch (err) {
        failed = true;
        const message = (err as Error).message;
        if (isStoreUnavailable(err)) {
          // the store (or a shard of it) stopped answering: every later section would fail the same way
          await store.audits
            .markSection(auditId, id, { status: 'failed', error: message })
            .catch(() => undefined);
          options.onSection?.(id, 'failed', err);
          throw err;
        }
        await store.audits.markSection(auditId, id, { status: 'failed', error: message });
        options.onSection?.(id, 'failed', err);
        const title = template.sections.find((s) => s.id === id)?.title ?? id;
        sections.push({
          id,
          title,
          status: 'failed',
          summary: '',
          notes: [],
          findings: [],
          tables: [],
          charts: [],
          missing: [],
          error: message,
          notApplicable: null,
        });
      }
    }
  } finally {
    monitor?.stop();
  }

  // what does not apply to the run is said once, in one line each; sections with nothing left become a line
  const notApplicable = absentLayers(layers);
  const absent = new Set(notApplicable.map((n) => n.layer));
  sections.splice(0, sections.length, ...sections.map((s) => fitSection(s, absent)));
  const findings = sections.flatMap((s) => s.findings);
  const excerpts = await store.scans.sessionExcerpts(
    options.run,
    [...new Set(findings.flatMap((f) => f.evidence.sessions))].sort((a, b) => a - b).slice(0, 500),
    600,
  );
  // the session index links the sessions the findings cite to their excerpts (known only now)
  const cited = excerpts.map((e) => e.session);
  const overview = sections.findIndex((s) => s.id === 'overview');
  if (overview >= 0) {
    const o = sections[overview]!;
    sections[overview] = {
      ...o,
      charts: o.charts.map((c) => (c.kind === 'session-index' ? { ...c, linked: cited } : c)),
    };
  }
  const sim = simulatedRunMeta(runRecord);
  const operations = monitor ? await operationsLog(store, auditId, monitor) : null;
  const report: AuditReport = {
    schema: 'rlaudit-report/1',
    title: `Audit report: run ${options.run}`,
    run: {
      run: options.run,
      model: runRecord?.model ?? null,
      sessions: layers.sessions,
      firstSession: layers.firstSession,
      lastSession: layers.lastSession,
      events: layers.events,
      annotations: layers.annotations,
      simulated: typeof sim !== 'string',
    },
    template: { name: template.name, description: template.description },
    parameters: { window, windowRule: choice.rule },
    provenance: {
      rlauditVersion: packageJson.version,
      generatedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      inputs: await store.scans.runInputs(options.run),
      seeds: { diversity_sample: 1, ...(typeof sim !== 'string' ? { simulator: sim.seed } : {}) },
      database: store.location,
    },
    headline: headline(findings),
    sections,
    notApplicable,
    excerpts,
    operations,
  };
  await store.audits.finishAudit(auditId, failed ? 'failed' : 'complete', report);
  return { report, auditId, resumed };
}

/** The most severe findings first (then in report order), at most eight. */
function headline(findings: readonly Finding[]): string[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || a.i - b.i)
    .slice(0, 8)
    .map((x) => x.f.id);
}

async function operationsLog(
  store: Store,
  auditId: number,
  monitor: OperationsMonitor,
): Promise<OperationsLog> {
  const summary = OPERATION_METRICS.map((metric) => {
    const values = monitor.samples.map((s) => s[metric]);
    return { metric, p50: quantile(values, 0.5), p95: quantile(values, 0.95), max: Math.max(...values) };
  }).filter((m) => Number.isFinite(m.p95));
  await store.audits.recordOperations(auditId, summary);
  const history = await store.audits.operationsHistory(10, auditId);
  const bands = operatingBands(
    history.filter((h): h is { metric: (typeof OPERATION_METRICS)[number]; p95: number } =>
      (OPERATION_METRICS as readonly string[]).includes(h.metric),
    ),
  );
  return {
    samples: monitor.samples,
    sections: monitor.sections.map((s) => ({ id: s.id, durationMs: s.durationMs })),
    bands: Object.fromEntries(Object.entries(bands).map(([k, b]) => [k, b])),
    irregularities: findIrregularities(monitor.samples, bands, (t) => monitor.sectionAt(t)),
  };
}
