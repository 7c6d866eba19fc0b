import { type LiveSession, type LiveWindow, liveWindow } from '../../analyses/shared/live.ts';
import type { WindowSpec } from '../../model/windows.ts';

/**
 * Groups live sessions into the analyses' windows (WindowSpec): one training step, or W consecutive session
 * numbers (window k = sessions k·W+1 … (k+1)·W). A window closes when a session of another window arrives,
 * when a session window's last session number arrives, or (`flush`) when the watcher decides the open step
 * is complete (the writer went quiet, or the watch ends). Sessions without a step are not windowed by step.
 */
export class WindowTracker {
  private key: number | null = null;
  private members: LiveSession[] = [];

  constructor(readonly spec: WindowSpec) {}

  private keyOf(s: LiveSession): number | null {
    if (this.spec.by === 'step') return s.step;
    return Math.floor((s.session - 1) / this.spec.size);
  }

  /** Adds a session; returns the windows it closed. */
  add(s: LiveSession): LiveWindow[] {
    const key = this.keyOf(s);
    if (key === null) return [];
    const out: LiveWindow[] = [];
    if (this.key !== null && key !== this.key && this.members.length > 0) out.push(this.close());
    this.key = key;
    this.members.push(s);
    if (this.spec.by === 'session' && s.session === (key + 1) * this.spec.size) out.push(this.close());
    return out;
  }

  /** Sessions in the open window. */
  get open(): number {
    return this.members.length;
  }

  /** Closes the open window (if any) and returns it. */
  flush(): LiveWindow | null {
    return this.members.length === 0 ? null : this.close();
  }

  private close(): LiveWindow {
    const w = liveWindow(this.key!, this.members);
    this.members = [];
    return w;
  }
}
