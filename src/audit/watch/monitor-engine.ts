import { liveMonitors } from '../../analyses/live-monitors.ts';
import type {
  LiveAlertDraft,
  LiveAnnotation,
  LiveEvent,
  LiveMonitor,
  LiveSession,
  LiveTarget,
  LiveWindow,
} from '../../analyses/shared/live.ts';
import type { WindowSpec } from '../../model/windows.ts';
import { WindowTracker } from './window-tracker.ts';

/** What the watch gives the live monitors, in reading order, once the rows are committed. */
export type FeedItem =
  | { readonly line: number; readonly kind: 'session'; readonly session: LiveSession }
  | { readonly line: number; readonly kind: 'annotation'; readonly annotation: LiveAnnotation }
  | { readonly line: number; readonly kind: 'event'; readonly event: LiveEvent };

/** How the monitors are built: plain data, so that it can be posted to the monitor thread. */
export interface MonitorConfig {
  readonly targets: readonly LiveTarget[];
  /** Windows of the window monitors; null: decided at the first session ({@link defaultWindow}). */
  readonly window: WindowSpec | null;
  readonly thresholds?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly rules?: readonly string[];
}

/** The windows of a watch not told which: by step when the first session has a step, else 500 sessions. */
export function defaultWindow(first: LiveSession): WindowSpec {
  return first.step !== null ? { by: 'step' } : { by: 'session', size: 500 };
}

/**
 * The registry's live monitors fed in reading order: each session, annotation and event to the monitors that
 * read it, then the windows a session closed. Synchronous and deterministic: the same feed gives the same
 * drafts in the same order, whether it runs on the watch's thread or on the monitor thread (monitor-thread.ts).
 * Annotations and events before the first session wait for it (the monitors are built at the first session,
 * whose step decides the default windows).
 */
export class MonitorEngine {
  private monitors: LiveMonitor[] | null = null;
  private tracker: WindowTracker | null = null;
  private readonly early: FeedItem[] = [];
  private spec: WindowSpec | null;

  constructor(private readonly config: MonitorConfig) {
    this.spec = config.window;
  }

  /** The windows in use (null before the first session when none was given). */
  get window(): WindowSpec | null {
    return this.spec;
  }

  /** Feeds items in reading order; returns the drafts they raised, in order. */
  feed(items: readonly FeedItem[]): LiveAlertDraft[] {
    const out: LiveAlertDraft[] = [];
    for (const item of items) {
      if (item.kind === 'session' && this.monitors === null) {
        this.build(item.session);
        for (const held of this.early.splice(0)) this.item(held, out);
      }
      if (this.monitors === null) this.early.push(item);
      else this.item(item, out);
    }
    return out;
  }

  /** Closes the open step window (the writer went quiet, or the watch ends); returns what it raised. */
  closeStep(): LiveAlertDraft[] {
    if (this.tracker === null || this.spec?.by !== 'step') return [];
    const w = this.tracker.flush();
    const out: LiveAlertDraft[] = [];
    if (w !== null) this.closed([w], out);
    return out;
  }

  private build(first: LiveSession): void {
    this.spec ??= defaultWindow(first);
    this.tracker = new WindowTracker(this.spec);
    this.monitors = liveMonitors({
      targets: this.config.targets,
      window: this.spec,
      ...(this.config.thresholds ? { thresholds: this.config.thresholds } : {}),
      ...(this.config.rules ? { rules: this.config.rules } : {}),
    });
  }

  private item(item: FeedItem, out: LiveAlertDraft[]): void {
    for (const m of this.monitors!) {
      if (item.kind === 'session' && m.session) out.push(...m.session(item.session));
      else if (item.kind === 'annotation' && m.annotation) out.push(...m.annotation(item.annotation));
      else if (item.kind === 'event' && m.event) out.push(...m.event(item.event));
    }
    if (item.kind === 'session') this.closed(this.tracker!.add(item.session), out);
  }

  private closed(ws: readonly LiveWindow[], out: LiveAlertDraft[]): void {
    for (const w of ws) for (const m of this.monitors!) if (m.window) out.push(...m.window(w));
  }
}
