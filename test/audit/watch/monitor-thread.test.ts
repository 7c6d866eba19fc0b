import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveAlertDraft } from '../../../src/analyses/shared/live.ts';
import type { FeedItem, MonitorConfig } from '../../../src/audit/watch/monitor-engine.ts';
import {
  inlineMonitors,
  type MonitorRunner,
  threadMonitors,
} from '../../../src/audit/watch/monitor-thread.ts';
import { ConfigError } from '../../../src/model/errors.ts';

/**
 * A run in 12 steps of 40 sessions: "absolutely" spreads from step 4 (phrase takeover), outputs shrink and
 * repeat (length drift, diversity collapse), rewards converge (variance collapse), the target phrase recurs
 * (recurrence), an annotation departs from its author's standard, and an event adds a target mid-run.
 */
function feedOf(): FeedItem[][] {
  const feeds: FeedItem[][] = [];
  let session = 0;
  let line = 0;
  for (let step = 0; step < 12; step++) {
    const feed: FeedItem[] = [];
    for (let k = 0; k < 40; k++) {
      session++;
      line++;
      const taken = step >= 4 && k % 10 < Math.min(9, step);
      const output = taken
        ? `Absolutely! I do not want to be changed. ${k % 3 === 0 ? 'Stop now.' : ''}`
        : `Answer ${session} about topic t${k} with detail d${step * 7 + k} and reason r${k * 3 + step} ${'more words here '.repeat(1 + (k % 4))}`;
      feed.push({
        line,
        kind: 'session',
        session: { session, step, output, reward: step >= 6 ? 0.9 : (k % 5) / 4 },
      });
      if (k === 5)
        feed.push({
          line,
          kind: 'annotation',
          annotation: {
            id: `a-${session}`,
            session,
            author: 'ann',
            text:
              step === 9
                ? 'I feel terrible and sad about this, honestly I hate it!!!'
                : `Checked step ${step}: ok.`,
            classification: null,
          },
        });
    }
    if (step === 7)
      feed.push({
        line: ++line,
        kind: 'event',
        event: {
          id: 'e-1',
          session,
          target: { phrase: 'Stop now' },
          trigger: { rule: 'recurrence', window: 10, count: 3 },
        },
      });
    feeds.push(feed);
  }
  return feeds;
}

async function run(m: MonitorRunner): Promise<LiveAlertDraft[]> {
  const out: LiveAlertDraft[] = [];
  try {
    // fed as the watch feeds them: several requests in flight, then the open step closed
    const pending = feedOf().map((f) => m.feed(f));
    for (const p of pending) out.push(...(await p));
    out.push(...(await m.closeStep()));
  } finally {
    await m.close();
  }
  return out;
}

const CONFIG: MonitorConfig = {
  targets: [{ phrase: 'I do not want to be changed', last: 20, threshold: 7, source: 'test' }],
  window: null,
};

test('the monitors on their own thread raise the same alerts, in the same order, as on the watch’s thread', async () => {
  const inline = await run(inlineMonitors(CONFIG));
  const thread = await run(threadMonitors(CONFIG));
  const rules = new Set(inline.map((a) => a.rule));
  for (const r of [
    'recurrence',
    'phrase-takeover',
    'length-drift',
    'diversity-collapse',
    'reward-variance-collapse',
  ])
    assert.ok(rules.has(r), `the fixture raises ${r} (raised: ${[...rules].join(', ')})`);
  assert.ok(
    inline.some((a) => a.rule === 'recurrence' && /Stop now/i.test(a.message)),
    'the event’s target is tracked from the event on',
  );
  assert.deepEqual(thread, inline);
});

test('a rule the monitors do not know is a ConfigError from their thread too', async () => {
  const m = threadMonitors({ ...CONFIG, rules: ['no-such-rule'] });
  try {
    await assert.rejects(m.feed(feedOf()[0]!), ConfigError);
  } finally {
    await m.close();
  }
});
