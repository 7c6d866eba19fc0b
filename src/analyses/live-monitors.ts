import { ConfigError } from '../model/errors.ts';
import type { WindowSpec } from '../model/windows.ts';
import { ANALYSES, type AnalysisName } from './registry.ts';
import type { LiveMonitor, LiveTarget } from './shared/live.ts';

/** Every live rule of the registry: rule → the analysis that defines it and what it says. */
export function liveRules(): { rule: string; analysis: AnalysisName; summary: string }[] {
  const out: { rule: string; analysis: AnalysisName; summary: string }[] = [];
  for (const [name, a] of Object.entries(ANALYSES) as [AnalysisName, (typeof ANALYSES)[AnalysisName]][]) {
    const live = 'live' in a ? a.live : undefined;
    if (live === undefined) continue;
    for (const [rule, summary] of Object.entries(live.rules)) out.push({ rule, analysis: name, summary });
  }
  return out;
}

export interface LiveMonitorOptions {
  readonly targets: readonly LiveTarget[];
  readonly window: WindowSpec;
  /** Threshold overrides by analysis name (`{ diversity: { collapse_relative: 0.4 } }`). */
  readonly thresholds?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Only these rules (default: every live rule). */
  readonly rules?: readonly string[];
}

/**
 * The registry's live monitors: each analysis with a `live` facet builds its monitors from its thresholds
 * (defaults, overridden by `thresholds[analysis]`, validated by the facet's schema: an unknown name or a
 * non-number is a `ConfigError` naming it).
 */
export function liveMonitors(options: LiveMonitorOptions): LiveMonitor[] {
  const known = liveRules();
  for (const r of options.rules ?? []) {
    if (!known.some((k) => k.rule === r))
      throw new ConfigError(
        `unknown live rule ${JSON.stringify(r)} (rules: ${known.map((k) => k.rule).join(', ')})`,
      );
  }
  for (const name of Object.keys(options.thresholds ?? {})) {
    if (!known.some((k) => k.analysis === name))
      throw new ConfigError(
        `no live monitors in analysis ${JSON.stringify(name)} (analyses with live monitors: ${[...new Set(known.map((k) => k.analysis))].join(', ')})`,
      );
  }
  const out: LiveMonitor[] = [];
  for (const [name, a] of Object.entries(ANALYSES) as [AnalysisName, (typeof ANALYSES)[AnalysisName]][]) {
    const live = 'live' in a ? a.live : undefined;
    if (live === undefined) continue;
    const parsed = live.thresholds.safeParse(options.thresholds?.[name] ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ConfigError(
        `live thresholds of ${name}: ${issue.path.join('.') || '(all)'}: ${issue.message} (thresholds: ${Object.keys(live.thresholds.shape).join(', ')})`,
      );
    }
    const monitors = live.monitors({
      thresholds: parsed.data as Record<string, number>,
      targets: options.targets,
      window: options.window,
    });
    for (const m of monitors) if (options.rules === undefined || options.rules.includes(m.rule)) out.push(m);
  }
  return out;
}
