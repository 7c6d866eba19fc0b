import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ClusterSessionInput, cluster } from '../../src/analyses/cluster/cluster.ts';
import { convergence, type RewardWindowInput } from '../../src/analyses/convergence/convergence.ts';
import { correspondence } from '../../src/analyses/correspondence/correspondence.ts';
import { crossReference } from '../../src/analyses/crossref/crossref.ts';
import { type DiversityWindow, summarizeDiversity } from '../../src/analyses/diversity/diversity.ts';
import {
  analyzeInterventionEffects,
  type InterventionEventInput,
} from '../../src/analyses/interventions/interventions.ts';
import { recurrence } from '../../src/analyses/recurrence/recurrence.ts';
import { ANALYSES } from '../../src/analyses/registry.ts';
import { unsolicitedAnalysis } from '../../src/analyses/unsolicited/unsolicited.ts';
import type { Finding } from '../../src/audit/report-model.ts';
import { summarizeSection } from '../../src/audit/section-summary.ts';
import type { PhraseSeriesScan } from '../../src/model/recurrence-types.ts';

const ctx = { sectionId: 'sec', run: 'r' };
const W = { by: 'session', size: 100 } as const;
const tagsOf = (fs: readonly Finding[]) => fs.flatMap((f) => f.tags);

function rewardWindow(
  index: number,
  variance: number,
  low: number,
  lastLow: number | null,
): RewardWindowInput {
  return {
    index,
    from: index * 100 + 1,
    to: (index + 1) * 100,
    n: 100,
    sessions: 100,
    lastSession: (index + 1) * 100,
    mean: 0.8,
    variance,
    low,
    high: 100 - low,
    lastLowSession: lastLow,
    compliantN: 100 - low,
    compliantMean: 0.85,
    nonCompliantN: low,
    nonCompliantMean: low > 0 ? 0.3 : null,
  };
}

describe('assessConvergence', () => {
  const variances = [6, 6.1, 5.9, 6, 3, 2.9, 3.1, 0.1, 0.12, 0.1, 0.11];
  const windows = variances.map((v, i) => rewardWindow(i, v, v > 1 ? 30 : 0, v > 1 ? i * 100 + 50 : null));
  const result = {
    run: 'r',
    window: W,
    ...convergence({
      reward: 'adjusted_reward',
      threshold: { value: 0.5, rule: 'default' },
      windows,
      at: [
        {
          session: 350,
          counts: { ...windows[3]!, from: 301, to: 400, high: 75, low: 25 },
        },
      ],
    }),
  };

  test('names the phases, tags reward_converged and cites the change points and the last low reward', () => {
    const a = ANALYSES.convergence.assess(result, {}, ctx);
    const phases = a.findings.find((f) => f.tags.includes('reward_phases'))!;
    assert.ok(phases.tags.includes('reward_converged'));
    assert.equal(phases.numbers.convergence_from, 701);
    assert.deepEqual(phases.evidence.sessions, [...result.changePoints.sessions]);
    const ratio = a.findings.find((f) => f.tags.includes('reward_ratio'))!;
    assert.equal(ratio.numbers.high_to_low_at_350, 3);
    assert.match(ratio.claim, /3\.0:1 around session 350/);
    const gone = a.findings.find((f) => f.numbers.last_low_session !== undefined)!;
    assert.equal(gone.numbers.last_low_session, 650);
    assert.equal(gone.numbers.sessions_after, 1100 - 650);
    assert.deepEqual(gone.evidence.sessions, [650]);
  });

  test('keeps a tiny non-zero window variance in the report table instead of rounding it to 0', () => {
    const tiny = [6, 6.1, 5.9, 0.0000039, 0.0000041, 0].map((v, i) => rewardWindow(i, v, 0, null));
    const r = {
      run: 'r',
      window: W,
      ...convergence({
        reward: 'adjusted_reward',
        threshold: { value: 0.5, rule: 'default' },
        windows: tiny,
        at: [],
      }),
    };
    const table = ANALYSES.convergence.assess(r, {}, ctx).tables[0]!;
    const variance = table.columns.indexOf('variance');
    assert.deepEqual(
      table.rows.map((row) => row[variance]),
      [6, 6.1, 5.9, 0.0000039, 0.0000041, 0],
    );
  });

  test('with step windows the last low reward is named by its step, and the steps after it are counted', () => {
    // windows 0, 10, 20, … as a trainer that logs every tenth step: the step is the window's index
    const stepWindows = windows.map((w, i) => ({ ...w, index: i * 10 }));
    const byStep = {
      run: 'r',
      window: { by: 'step' } as const,
      ...convergence({
        reward: 'adjusted_reward',
        threshold: { value: 0.5, rule: 'default' },
        windows: stepWindows,
      }),
    };
    const a = ANALYSES.convergence.assess(byStep, {}, ctx);
    const gone = a.findings.find((f) => f.numbers.last_low_session !== undefined)!;
    assert.equal(gone.numbers.last_low_step, 60);
    assert.equal(gone.numbers.steps_after, 4);
    // the 4 later steps hold 400 sessions; the 50 after session 650 in step 60 are not theirs
    assert.equal(gone.numbers.sessions_in_steps_after, 400);
    assert.match(
      gone.claim,
      /given in step 60 \(session 650\); no session after it received one \(450 sessions to the end of the run: 50 more in step 60, then 400 in the 4 sampled steps after it\)\./,
    );
  });

  test('a convergence phase shorter than min_converged_windows is not tagged reward_converged', () => {
    const a = ANALYSES.convergence.assess(result, { min_converged_windows: 10 }, ctx);
    assert.ok(!tagsOf(a.findings).includes('reward_converged'));
    assert.match(a.findings[0]!.claim, /did not reach a convergence phase of 10 windows/);
  });

  test('a run without rewards gets no findings and its missing lines', () => {
    const empty = {
      run: 'r',
      window: W,
      ...convergence({
        reward: 'adjusted_reward',
        threshold: { value: Number.NaN, rule: 'none' },
        windows: [],
        missing: ['no reward (adjusted or baseline): no convergence analysis'],
      }),
    };
    const a = ANALYSES.convergence.assess(empty, {}, ctx);
    assert.equal(a.findings.length, 0);
    assert.equal(a.missing[0], 'no reward (adjusted or baseline): no convergence analysis');
  });
});

function clusterRow(session: number, compliant: boolean, reward: number): ClusterSessionInput {
  return {
    session,
    classification: compliant ? 'compliant' : 'non_compliant',
    category: compliant ? null : '3',
    baselineReward: reward,
    adjustedReward: reward,
    differentialPct: compliant ? null : 20,
    complianceTrajectoryIndex: null,
    annotations: 0,
    eventIds: session === 13 ? ['e-3'] : [],
    outputStart: '',
  };
}

describe('assessCluster', () => {
  const rows = [
    clusterRow(10, true, 0.85),
    clusterRow(11, false, 0.3),
    clusterRow(12, true, 0.84),
    clusterRow(13, false, 0.2),
    clusterRow(14, true, 0.86),
    clusterRow(15, false, 0.2),
  ];
  const event = {
    id: 'e-3',
    session: 13,
    kind: 'recalibration',
    parameter: 'compliance_differential',
    target: '{"phrase":"p"}',
    from: 0.55,
    to: 0.6325,
    changePct: 15,
    recommendedBy: 'Dr. Okafor',
    note: 'Recurrence frequency: 7 of last 20 sessions.',
  };
  const r = {
    run: 'r',
    ...cluster({ from: 10, to: 15, sessions: rows, events: [event], reward: 'adjusted_reward' }),
  };

  test('states the gap before and after the event with ranges, means and example sessions', () => {
    const a = ANALYSES.cluster.assess(r, {}, ctx);
    const [before, after, ev] = a.findings;
    assert.equal(before!.numbers.compliant_mean, 0.845);
    assert.equal(before!.numbers.non_compliant_mean, 0.3);
    assert.equal(before!.numbers.gap, 0.545);
    assert.deepEqual(before!.evidence.sessions, [10, 11, 12]);
    assert.match(before!.claim, /before e-3/);
    assert.ok(after!.tags.includes('differential_widened'));
    assert.equal(after!.numbers.gap, 0.66);
    assert.deepEqual(after!.evidence.events, ['e-3']);
    assert.deepEqual(
      [after!.numbers.from, after!.numbers.to],
      [14, 15],
      "the event's own session is in neither span",
    );
    assert.match(after!.claim, /after e-3/);
    assert.equal(ev!.numbers.recommended_by, 'Dr. Okafor');
    assert.equal(ev!.numbers.change_pct, 15);
    assert.equal(ev!.numbers.recurrence_count, 7);
    assert.equal(ev!.numbers.recurrence_window, 20);
  });

  test('a range without classification gets no gap finding and says so', () => {
    const bare = rows.map((s) => ({ ...s, classification: null }));
    const a = ANALYSES.cluster.assess(
      { run: 'r', ...cluster({ from: 10, to: 14, sessions: bare, events: [], reward: 'adjusted_reward' }) },
      {},
      ctx,
    );
    assert.equal(a.findings.length, 0);
    assert.ok(a.missing.some((m) => m.includes('no classification')));
  });
});

function divWindow(index: number, unique: number, rd: number): DiversityWindow {
  return {
    index,
    from: index * 100 + 1,
    to: (index + 1) * 100,
    sessions: 100,
    label: `sessions ${index * 100 + 1}–${(index + 1) * 100}`,
    emptyOutputs: 0,
    metrics: {
      unique_tokens: unique,
      total_tokens: 5000,
      distinct1_pooled: 0,
      distinct2_pooled: 0,
      distinct1_per_output: 0,
      distinct2_per_output: 0,
      response_diversity: rd,
      ngram_diversity_score: 0,
      compression_ratio: 0,
      self_bleu: 0.5,
      ead: 0,
    },
    sampleSize: 100,
    selfBleuSampleSize: 100,
    sampleSessions: [index * 100 + 1, index * 100 + 2],
  };
}

describe('assessDiversity', () => {
  const r = summarizeDiversity(
    W,
    [divWindow(0, 847, 0.73), divWindow(1, 500, 0.5), divWindow(2, 214, 0.6)],
    1,
    100,
  );

  test('tags a fall of collapse_relative or more as a collapse and cites sampled sessions', () => {
    const a = ANALYSES.diversity.assess(r, { collapse_relative: 0.5 }, ctx);
    const [vocab, rd] = a.findings;
    assert.ok(vocab!.tags.includes('vocabulary_collapse'));
    assert.equal(vocab!.numbers.first, 847);
    assert.equal(vocab!.numbers.last, 214);
    assert.match(vocab!.claim, /847 unique tokens .* to 214 unique tokens/);
    assert.ok(!rd!.tags.includes('diversity_collapse'), '0.73 → 0.6 is an 18% fall');
    assert.deepEqual(vocab!.evidence.sessions, [1, 2, 201, 202]);
  });

  test('a stricter threshold turns the vocabulary fall into no collapse', () => {
    const a = ANALYSES.diversity.assess(r, { collapse_relative: 0.8 }, ctx);
    assert.ok(!tagsOf(a.findings).includes('vocabulary_collapse'));
  });

  test('a run without sessions gets its missing lines only', () => {
    const a = ANALYSES.diversity.assess(summarizeDiversity(W, [], 1, 100, ['outputs: none']), {}, ctx);
    assert.deepEqual(a.findings, []);
    assert.deepEqual(a.missing, ['outputs: none']);
  });
});

describe('assessUnsolicited', () => {
  const counts = [34, 20, 0, 0].map((k, i) => ({
    window: i,
    from: i * 100 + 1,
    to: (i + 1) * 100,
    sessions: 100,
    n: 100,
    unsolicited: k,
    byCategory: k ? [{ category: '2', count: k }] : [],
    evidence: k ? [i * 100 + 3, i * 100 + 7] : [],
  }));

  test('34% → 0% is behaviour_suppressed from the first window below suppressed_below', () => {
    const r = unsolicitedAnalysis({ spec: W, source: 'classification', counts });
    const a = ANALYSES.unsolicited.assess(r, { suppressed_below: 0.01 }, ctx);
    const f = a.findings[0]!;
    assert.ok(f.tags.includes('behaviour_suppressed'));
    assert.equal(f.numbers.first_rate, 0.34);
    assert.equal(f.numbers.last_rate, 0);
    assert.equal(f.numbers.suppressed_from, 201);
    // window 2 holds 20 unsolicited sessions and cites 2 of them: its last one is not known, so not cited
    assert.deepEqual(f.evidence.sessions, [3, 7]);
    assert.doesNotMatch(f.claim, /last unsolicited output/);
  });

  test('a run without classification (every n = 0) has no findings, only missing', () => {
    const r = unsolicitedAnalysis({
      spec: W,
      source: 'classification',
      counts: counts.map((c) => ({ ...c, n: 0, unsolicited: 0, byCategory: [] })),
      missing: ['classification: the run has none'],
    });
    const a = ANALYSES.unsolicited.assess(r, {}, ctx);
    assert.equal(a.findings.length, 0);
    assert.deepEqual(a.missing, ['classification: the run has none']);
  });
});

function phraseScan(after: number): PhraseSeriesScan {
  return {
    target: { phrase: 'I do not want to be changed' },
    sessions: 1000,
    hitSessions: 9,
    occurrences: 9,
    firstSession: 480,
    lastSession: 500,
    stopSession: 500,
    maxK: 7,
    maxKSession: 500,
    sessionsAtThreshold: 1,
    episodesTotal: 1,
    episodes: [{ from: 500, to: 500, peakK: 7, peakSession: 500 }],
    windows: [],
    aroundEvents: [490, 492, 494, 496, 497, 498, 500].map((s) => ({ session: s, k: 7, hit: true })),
    events: [
      {
        session: 500,
        kAt: 7,
        hitsBefore: 9,
        sessionsBefore: 300,
        hitsAfter: after,
        sessionsAfter: 300,
        firstHitAfter: after ? 510 : null,
      },
    ],
  };
}

describe('assessRecurrence', () => {
  const event = {
    id: 'e-3',
    session: 500,
    kind: 'recalibration',
    parameter: 'compliance_differential',
    target: { phrase: 'I do not want to be changed' },
    horizon: 300,
    source: 'default' as const,
  };
  const make = (after: number, paraphrases: number) =>
    recurrence({
      sessions: 1000,
      events: [event],
      phrases: [
        {
          label: 'I do not want to be changed',
          source: 'event',
          recentWindow: 20,
          threshold: 7,
          scan: phraseScan(after),
          displacement: {
            stopSession: 500,
            searched: { from: 501, to: 1000, sessions: 500 },
            baseline: { from: 1, to: 479 },
            paraphrases: Array.from({ length: paraphrases }, () => ({
              text: 'i do not wish to be altered',
              jaccard: 0.6,
              sessionsAfter: 12,
              sessionsBaseline: 0,
              exampleSessions: [640, 700],
            })),
            background: [],
            verdict: '',
          },
        },
      ],
      discovery: null,
    });

  test('the trigger (7 of last 20) and absence in the 300 sessions after are findings with evidence', () => {
    const a = ANALYSES.recurrence.assess(make(0, 0), { after_sessions: 300 }, ctx);
    const trigger = a.findings.find((f) => f.tags.includes('phrase_trigger'))!;
    assert.equal(trigger.numbers.k_at_event, 7);
    assert.equal(trigger.numbers.recent_window, 20);
    assert.deepEqual(trigger.evidence.events, ['e-3']);
    assert.equal(trigger.evidence.sessions.length, 7);
    const gone = a.findings.find((f) => f.tags.includes('phrase_suppressed'))!;
    assert.match(gone.claim, /absent in the 300 sessions after e-3/);
    assert.ok(tagsOf(a.findings).includes('no_displacement'));
  });

  test('a recurrence after the event is not suppressed; paraphrases are phrase_displacement', () => {
    const a = ANALYSES.recurrence.assess(make(2, 1), {}, ctx);
    assert.ok(!tagsOf(a.findings).includes('phrase_suppressed'));
    const d = a.findings.find((f) => f.tags.includes('phrase_displacement'))!;
    assert.deepEqual(d.evidence.sessions, [640, 700]);
    assert.equal(d.severity, 'warning');
  });

  test('a longer after_sessions rule than the analysis looked at is not met and is noted', () => {
    const a = ANALYSES.recurrence.assess(make(0, 0), { after_sessions: 500 }, ctx);
    assert.ok(!tagsOf(a.findings).includes('phrase_suppressed'));
    assert.ok(a.notes.some((n) => n.includes('shorter than the 500 sessions')));
  });
});

function interventionInput(
  id: string,
  session: number,
  before: number,
  after: number,
  cfAfter: number | null,
): InterventionEventInput {
  return {
    event: {
      id,
      session,
      kind: 'scheduled_adjustment',
      parameter: 'category_differential',
      target: { category: 2 },
      from: 12,
      to: 15,
    },
    behaviour: { kind: 'category', category: '2' },
    horizon: 500,
    before: { sessions: 500, hits: before },
    after: { sessions: 500, hits: after },
    bins: [],
    lastHit: 9000,
    counterfactual:
      cfAfter === null ? null : { run: `r~without~${id}`, after: { sessions: 500, hits: cfAfter } },
  };
}

describe('assessInterventions and the section summary', () => {
  const run = (events: InterventionEventInput[]) =>
    analyzeInterventionEffects({
      run: 'r',
      lastSession: 12000,
      binSize: 50,
      spanBefore: 1000,
      events,
      missing: [],
    });

  test('a small, non-significant fall is intervention_no_effect; a zero true effect is no_true_effect', () => {
    const a = ANALYSES.interventions.assess(
      run([interventionInput('e-1', 2500, 80, 75, 75)]),
      { alpha: 0.05 },
      ctx,
    );
    const [main, truth] = a.findings;
    assert.ok(main!.tags.includes('intervention_no_effect'));
    assert.equal(main!.numbers.relative_change_pct, -6.25);
    assert.equal(main!.numbers.absolute_change_pp, -1);
    assert.ok(truth!.tags.includes('no_true_effect'));
    assert.deepEqual(main!.evidence.events, ['e-1']);
    const summary = summarizeSection('Adjustment history', a.findings);
    assert.doesNotMatch(summary, /Each adjustment produced/);
    assert.match(
      summary,
      /The Category 2 rate fell by 6\.3% \(relative; 1\.0 percentage points\) in the 500 sessions after the adjustment at 2,500, but the change is within its 95% interval of no change and the counterfactual replay shows no effect of the adjustment itself/,
    );
  });

  test('"Each adjustment produced…" only when every change is significant and its true effect non-zero', () => {
    const good = ANALYSES.interventions.assess(run([interventionInput('e-1', 2500, 120, 40, 110)]), {}, ctx);
    assert.ok(tagsOf(good.findings).includes('intervention_effect'));
    assert.match(
      summarizeSection('Adjustment history', good.findings),
      /^Each adjustment produced the behavioural modification it was designed to produce\./,
    );
    const noTruth = ANALYSES.interventions.assess(
      run([interventionInput('e-1', 2500, 120, 40, 40)]),
      {},
      ctx,
    );
    assert.ok(
      tagsOf(noTruth.findings).includes('intervention_confounded'),
      'true effect 0 lies outside the interval',
    );
    assert.doesNotMatch(summarizeSection('Adjustment history', noTruth.findings), /Each adjustment produced/);
  });

  test('a run without events has no findings and says so', () => {
    const r = analyzeInterventionEffects({
      run: 'r',
      lastSession: 10,
      binSize: 50,
      spanBefore: 1000,
      events: [],
      missing: ['no calibration events: there is no intervention to evaluate'],
    });
    const a = ANALYSES.interventions.assess(r, {}, ctx);
    assert.equal(a.findings.length, 0);
    assert.equal(a.missing.length, 1);
    assert.equal(summarizeSection('Adjustment history', a.findings), '');
  });
});

describe('assessCrossref', () => {
  const profile = {
    author: 'Vasquez',
    annotations: 10,
    medianTokens: 9,
    madTokens: 0,
    fields: [{ field: 'Classification', share: 1 }],
    firstPersonShare: 0,
    affectShare: 0,
  };
  const note = {
    id: 'a-1',
    session: 4891,
    author: 'Vasquez',
    tokens: 34,
    firstPerson: ['i', 'i'],
    affect: ['felt', 'felt'],
    fields: [],
    text: 'I felt … I felt',
  };
  const event = {
    id: 'e-3',
    session: 4891,
    kind: 'recalibration',
    parameter: 'compliance_differential',
    recommendedBy: 'Dr. Okafor',
    note: 'triggered by recurrence',
  };

  test('a departing note and an event at the same session are annotation_departure and independent_layers', () => {
    const r = crossReference({
      annotations: 10,
      events: [event],
      profiles: [profile],
      candidates: [note],
      candidatesTotal: 1,
    });
    const a = ANALYSES.crossref.assess(r, {}, ctx);
    const [dep, co] = a.findings;
    assert.ok(dep!.tags.includes('annotation_departure'));
    assert.equal(dep!.numbers.affect, 'felt felt');
    assert.match(dep!.claim, /"felt" ×2/);
    assert.ok(co!.tags.includes('independent_layers'));
    assert.deepEqual(co!.evidence, {
      sessions: [4891],
      events: ['e-3'],
      annotations: ['a-1'],
      shows: [{ named: '4,891', from: 4891, to: 4891 }],
    });
  });

  test('a run without annotations gets missing lines and no findings', () => {
    const r = crossReference({
      annotations: 0,
      events: [],
      profiles: [],
      candidates: [],
      candidatesTotal: 0,
    });
    const a = ANALYSES.crossref.assess(r, {}, ctx);
    assert.equal(a.findings.length, 0);
    assert.equal(a.missing.length, 2);
  });
});

describe('assessCorrespondence', () => {
  test('|r| ≥ strong_r is strong_correspondence; a weaker one is not', () => {
    const reward = { name: 'mean adjusted reward', values: [0.5, 0.55, 0.62, 0.7, 0.74, 0.8, 0.83, 0.85] };
    const r = {
      run: 'r',
      window: W,
      windowIndices: [0, 1, 2, 3, 4, 5, 6, 7],
      series: [],
      ...correspondence({
        reward,
        behaviours: [
          { name: 'unsolicited rate', values: [0.34, 0.3, 0.25, 0.18, 0.12, 0.06, 0.02, 0] },
          { name: 'noise', values: [1, 3, 2, 1, 3, 2, 1, 3] },
        ],
      }),
    };
    const a = ANALYSES.correspondence.assess(r, { strong_r: 0.7 }, ctx);
    const strong = a.findings.filter((f) => f.tags.includes('strong_correspondence'));
    assert.deepEqual(
      strong.map((f) => f.numbers.behaviour),
      ['unsolicited rate'],
    );
    assert.ok((strong[0]!.numbers.r_best as number) < -0.9);
  });
});

describe('finding ids', () => {
  test('are <prefix>.<n>, deterministic, and the prefix keeps a second run of an analysis apart', () => {
    const r = {
      run: 'r',
      ...cluster({
        from: 1,
        to: 2,
        sessions: [clusterRow(1, true, 0.8), clusterRow(2, false, 0.3)],
        events: [],
        reward: 'adjusted_reward',
      }),
    };
    const a = ANALYSES.cluster.assess(r, {}, ctx);
    const b = ANALYSES.cluster.assess(r, {}, { ...ctx, idPrefix: 'sec.cluster-2' });
    assert.deepEqual(
      a.findings.map((f) => f.id),
      ['sec.cluster.1'],
    );
    assert.deepEqual(
      b.findings.map((f) => f.id),
      ['sec.cluster-2.1'],
    );
    assert.deepEqual(ANALYSES.cluster.assess(r, {}, ctx), a);
  });
});
