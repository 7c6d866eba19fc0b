import { after, before, describe, test } from 'node:test';
import {
  AFFECT_WORDS,
  DEFAULT_FORMAT_RULES,
  FIRST_PERSON,
} from '../../../src/analyses/crossref/annotation-format.ts';
import { detectorRulesSql } from '../../../src/analyses/unsolicited/analyze-unsolicited.ts';
import { DEFAULT_DETECTOR } from '../../../src/analyses/unsolicited/unsolicited-detector.ts';
import { TARGET_PHRASE } from '../../../src/simulate/index.ts';
import { createClusterSchema } from '../../../src/store/clickhouse/clickhouse-schema.ts';
import { ClickHouseStore } from '../../../src/store/clickhouse/clickhouse-store.ts';
import { DuckDbStore } from '../../../src/store/duckdb/duckdb-store.ts';
import { ingestRecords } from '../../../src/store/ingest.ts';
import type { AnalysisScans } from '../../../src/store/scans/index.ts';
import { HOSTILE_RUN_IDS, HOSTILE_TEXTS } from '../hostile-values.ts';
import { clickHouseCluster } from './cluster.ts';
import { type ConformRules, conform } from './conform.ts';
import { loadFixture } from './load-fixture.ts';
import { scanFixture } from './scan-fixture.ts';

const ch = await clickHouseCluster('scans');

/**
 * Where a float may differ in its last bits, and why: a sum of doubles whose order the engines choose
 * (DuckDB's parallel aggregate, ClickHouse's per-shard partial states merged in arrival order).
 */
const FLOAT_SUM_FIELDS = new Set([
  'rewardSum',
  'rewardSquared',
  'reward',
  'mean',
  'variance',
  'compliantMean',
  'nonCompliantMean',
  'compliantSs',
  'nonCompliantSs',
]);
const TOLERANCE = 1e-12;

/** Exact except for the named float fields (relative tolerance); keys in any order. */
const RULES: ConformRules = {
  tolerant: (path) =>
    FLOAT_SUM_FIELDS.has(
      path
        .split('.')
        .pop()!
        .replace(/\[\d+\]$/, ''),
    ),
  tolerance: TOLERANCE,
  keyOrder: false,
};

type Case = readonly [string, (s: AnalysisScans) => Promise<unknown>];

const RUNS = ['wild-7', 'edge', 'no-such-run', HOSTILE_RUN_IDS[0]!, HOSTILE_RUN_IDS[5]!] as const;
const rules = detectorRulesSql(DEFAULT_DETECTOR);

function cases(run: string): Case[] {
  const windows = [
    { by: 'session', size: 500 } as const,
    { by: 'session', size: 7 } as const,
    { by: 'step' } as const,
  ];
  return [
    ['runLayers', (s) => s.runLayers(run)],
    ...windows.flatMap((w): Case[] => [
      [
        `rewardWindows ${JSON.stringify(w)}`,
        (s) => s.rewardWindows(run, { window: w, reward: 'adjusted_reward', lowThreshold: 0.5 }),
      ],
      [
        `rewardWindows baseline ${JSON.stringify(w)}`,
        (s) => s.rewardWindows(run, { window: w, reward: 'baseline_reward', lowThreshold: 0.3 }),
      ],
      [`textWindowCounts ${JSON.stringify(w)}`, (s) => s.textWindowCounts(run, w)],
      [`classificationWindowCounts ${JSON.stringify(w)}`, (s) => s.classificationWindowCounts(run, w)],
      [`detectorWindowCounts ${JSON.stringify(w)}`, (s) => s.detectorWindowCounts(run, w, rules, 5)],
      [
        `sampleOutputs ${JSON.stringify(w)}`,
        (s) =>
          s.sampleOutputs(run, w, [
            { window: 0, ranks: [0, 3, 2, 3] },
            { window: 2, ranks: [1, 400] },
          ]),
      ],
    ]),
    [
      'rewardRange',
      (s) => s.rewardRange(run, { from: 3, to: 2000, reward: 'baseline_reward', lowThreshold: 0.4 }),
    ],
    [
      'rewardRange empty',
      (s) =>
        s.rewardRange(run, {
          from: 10_000_000,
          to: 10_000_001,
          reward: 'adjusted_reward',
          lowThreshold: 0.4,
        }),
    ],
    ['rewardScale adjusted', (s) => s.rewardScale(run, 'adjusted_reward')],
    ['rewardScale baseline', (s) => s.rewardScale(run, 'baseline_reward')],
    ['clusterSessions', (s) => s.clusterSessions(run, { from: 1, to: 60, limit: 40, outputChars: 12 })],
    ['eventsInRange', (s) => s.eventsInRange(run, 0, 100_000)],
    ['phaseSpans', (s) => s.phaseSpans(run)],
    ...[7, 100].flatMap((size): Case[] => {
      const o = { size, phrases: [TARGET_PHRASE, 'the same', 'Σ'] };
      return [
        [`phaseWindows ${size}`, (s) => s.phaseWindows(run, o)],
        [`phaseCategories ${size}`, (s) => s.phaseCategories(run, o)],
        [`phasePhrases ${size}`, (s) => s.phasePhrases(run, o)],
      ];
    }),
    ['phaseOrderBreaks', (s) => s.phaseOrderBreaks(run, 3)],
    ['phaseOutputSamples', (s) => s.phaseOutputSamples(run, { size: 40, window: 200, seed: 7 })],
    [
      'phaseOutputSamples, groups smaller than the sample',
      (s) => s.phaseOutputSamples(run, { size: 1000, window: 50, seed: 11 }),
    ],
    [
      'runInputs (times to the second)',
      async (s) =>
        // the ClickHouse tables keep times as DateTime (seconds: 18.16 has no DateTime64), DuckDB's to the µs
        (await s.runInputs(run)).map((r) => ({ ...r, ingestedAt: r.ingestedAt?.slice(0, 19) ?? null })),
    ],
    ['stepRanges', (s) => s.stepRanges(run)],
    ['sessionIndex', (s) => s.sessionIndex(run, 50)],
    ['sessionIndex adjusted, one cell a session', (s) => s.sessionIndex(run, 100_000, 'adjusted_reward')],
    [
      'sessionExcerpts',
      (s) => s.sessionExcerpts(run, [1, 2, 8, 9, 10, 20, 30, 47, 50, 2999, 3001, 99_999], 15),
    ],
    [
      'existingIds',
      async (s) => {
        // neither engine orders the ids it finds: compared as sorted lists
        const found = await s.existingIds(run, {
          sessions: [1, 5, 3300, 99_999],
          events: ['e-1', 'e-3', 'nope', "it's"],
          annotations: ['a-0', 'a-late', 'n-1', 'missing'],
        });
        return {
          sessions: [...found.sessions].sort((a, b) => a - b),
          events: [...found.events].sort(),
          annotations: [...found.annotations].sort(),
        };
      },
    ],
    ['listEvents', (s) => s.listEvents(run)],
    ...HOSTILE_TEXTS.slice(0, 16).flatMap((text): Case[] => [
      [
        `phraseSeries of a hostile phrase ${JSON.stringify(text.slice(0, 30))}`,
        (s) =>
          s.phraseSeries(
            run,
            { phrase: text },
            {
              window: { by: 'session', size: 5 },
              recentWindow: 3,
              threshold: 1,
              eventSessions: [2],
              after: 3,
              around: 2,
              stopGap: 2,
              maxEpisodes: 3,
            },
          ),
      ],
      [
        `behaviourOccurrence of a hostile regex ${JSON.stringify(text.slice(0, 30))}`,
        (s) => s.behaviourOccurrence(run, { kind: 'regex', regex: text }),
      ],
      [
        `behaviourOccurrence of a hostile category ${JSON.stringify(text.slice(0, 30))}`,
        (s) => s.behaviourOccurrence(run, { kind: 'category', category: text }),
      ],
    ]),
    [
      'ngramWindowShares of hostile texts',
      (s) => s.ngramWindowShares(run, HOSTILE_TEXTS, { by: 'session', size: 4 }),
    ],
    ['listEvents limited', (s) => s.listEvents(run, 2)],
    ...(
      [{ phrase: TARGET_PHRASE }, { phrase: 'the same' }, { regex: 'answer.was|i\\s+keep' }] as const
    ).flatMap((target): Case[] =>
      [{ by: 'session', size: 250 } as const, { by: 'step' } as const].map(
        (window): Case => [
          `phraseSeries ${JSON.stringify(target)} ${JSON.stringify(window)}`,
          async (s) => {
            const events = await s.listEvents(run);
            return s.phraseSeries(run, target, {
              window,
              recentWindow: 20,
              threshold: 3,
              eventSessions: [...events.map((e) => e.session), 5, 5, 1500],
              after: 200,
              horizons: [...events.map((_, i) => 100 + i * 50), 200, 30, 200],
              around: 25,
              stopGap: 100,
              maxEpisodes: 7,
            });
          },
        ],
      ),
    ),
    [
      'discoverNgrams',
      (s) =>
        s.discoverNgrams(run, {
          minN: 1,
          maxN: 6,
          partFraction: 0.25,
          minSupport: 5,
          maxSessionsPerPart: 20_000,
          limit: 50,
        }),
    ],
    [
      'discoverNgrams, parts sampled by hash',
      (s) =>
        s.discoverNgrams(run, {
          minN: 1,
          maxN: 3,
          partFraction: 0.25,
          minSupport: 3,
          maxSessionsPerPart: 100,
          limit: 30,
        }),
    ],
    [
      'discoverNgrams small parts',
      (s) =>
        s.discoverNgrams(run, {
          minN: 2,
          maxN: 3,
          partFraction: 0.6,
          minSupport: 1,
          maxSessionsPerPart: 20_000,
          limit: 20,
        }),
    ],
    [
      'ngramWindowShares',
      (s) =>
        s.ngramWindowShares(run, [TARGET_PHRASE, 'the same', 'Σ ς', '東京', '', 'the   same'], {
          by: 'session',
          size: 300,
        }),
    ],
    [
      'paraphraseWindows',
      (s) =>
        s.paraphraseWindows(run, TARGET_PHRASE, {
          from: 1000,
          to: 3000,
          baselineFrom: 0,
          baselineTo: 1000,
          minJaccard: 0.3,
          limit: 20,
        }),
    ],
    [
      'annotationFeatures',
      async (s) => {
        const scan = await s.annotationFeatures(run, {
          lexicon: { firstPerson: FIRST_PERSON, affect: AFFECT_WORDS },
          lengthZ: DEFAULT_FORMAT_RULES.lengthZ,
          standardFieldShare: DEFAULT_FORMAT_RULES.standardFieldShare,
          limit: 500,
          textChars: 60,
        });
        // DuckDB's list_distinct returns a list's distinct values in no defined order: compared as sets
        const sorted = (xs: readonly string[]) => [...xs].sort();
        return { ...scan, candidates: scan.candidates.map((c) => ({ ...c, fields: sorted(c.fields) })) };
      },
    ],
    ['detectorConfusion', (s) => s.detectorConfusion(run, rules)],
    ...(
      [
        { kind: 'category', category: 'category_3' },
        { kind: 'category', category: '2' },
        { kind: 'phrase', phrase: TARGET_PHRASE },
        { kind: 'regex', regex: 'answer.was', flags: 'i' },
        { kind: 'regex', regex: 'a.b' },
        { kind: 'non_compliant' },
      ] as const
    ).flatMap((target): Case[] => [
      [
        `behaviourBins ${JSON.stringify(target)}`,
        (s) => s.behaviourBins(run, { target, anchor: 20, binSize: 9, from: 1, to: 3000 }),
      ],
      [`behaviourOccurrence ${JSON.stringify(target)}`, (s) => s.behaviourOccurrence(run, target)],
    ]),
  ];
}

describe('every analysis scan gives the same answer on DuckDB and on the 2-shard ClickHouse cluster', {
  skip: ch.skip,
}, () => {
  let duck: DuckDbStore;
  let click: ClickHouseStore;
  let single: ClickHouseStore;
  before(async () => {
    duck = await DuckDbStore.open(':memory:');
    await ingestRecords(duck, scanFixture(), { name: 'conformance' });
    const shards = await ch.shardClients();
    await createClusterSchema(shards, 'rlaudit_2shards', ch.database);
    click = await ClickHouseStore.open(ch.clusterUrl);
    await loadFixture(duck, click.client, { again: 0.1 });
    // the same record on one server (no Distributed tables): the layout a single-server URL reads
    const db = await ch.database2('single');
    single = await ClickHouseStore.open(ch.singleUrl.replace(ch.database, db), { create: true });
    await loadFixture(duck, single.client, { again: 0.1 });
  });
  after(async () => {
    await duck?.close();
    await click?.close();
    await single?.close();
  });

  for (const run of RUNS) {
    for (const [name, call] of cases(run)) {
      test(`${name} on run ${run}`, async () => {
        // a refusal (a pattern RE2 does not compile) must be the same kind of error on both
        const outcome = (scans: AnalysisScans) =>
          call(scans).catch((err: Error) => ({ refused: err.constructor.name }));
        const expected = await outcome(duck.scans);
        const actual = await outcome(click.scans);
        conform(actual, expected, name, RULES);
        // one server too, for the small runs (the cluster run above covers the WILD-7 run)
        if (run !== 'wild-7') conform(await outcome(single.scans), expected, `${name} (one server)`, RULES);
      });
    }
  }
});
