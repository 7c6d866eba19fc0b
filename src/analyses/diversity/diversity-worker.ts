// The entry of a diversity scoring thread (sample-scoring.ts starts it): each message is one window's sample,
// answered with its statistics, computed by the same `sampleStatistics` as on the main thread.
import { parentPort } from 'node:worker_threads';
import { sampleStatistics } from './diversity.ts';
import type { ScoringReply, ScoringRequest } from './sample-scoring.ts';

const port = parentPort!;
port.on('message', (m: ScoringRequest) => {
  let reply: ScoringReply;
  try {
    reply = { id: m.id, stats: sampleStatistics(m.outputs, m.seed, m.bleuSize, m.withSelfBleu) };
  } catch (err) {
    reply = { id: m.id, error: { name: (err as Error).name, message: (err as Error).message } };
  }
  port.postMessage(reply);
});
