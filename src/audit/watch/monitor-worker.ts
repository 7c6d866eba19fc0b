// The monitor thread's entry (monitor-thread.ts starts it): the live monitors of one watch, fed in reading order
// by messages, each answered with the drafts it raised. Runs beside the watch's reading and writing, on the
// second core.
import { parentPort, workerData } from 'node:worker_threads';
import { type MonitorConfig, MonitorEngine } from './monitor-engine.ts';
import type { MonitorReply, MonitorRequest } from './monitor-thread.ts';

const port = parentPort!;
let engine: MonitorEngine | null = null;
let failure: { name: string; message: string } | null = null;
try {
  engine = new MonitorEngine(workerData as MonitorConfig);
} catch (err) {
  failure = { name: (err as Error).name, message: (err as Error).message };
}

port.on('message', (m: MonitorRequest) => {
  let reply: MonitorReply;
  try {
    if (failure !== null) throw Object.assign(new Error(failure.message), { name: failure.name });
    const drafts = m.kind === 'feed' ? engine!.feed(m.items) : engine!.closeStep();
    reply = { seq: m.seq, drafts };
  } catch (err) {
    reply = { seq: m.seq, error: { name: (err as Error).name, message: (err as Error).message } };
  }
  port.postMessage(reply);
});
