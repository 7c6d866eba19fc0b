import type { Finding } from '../../src/audit/report-model.ts';
import type { RenderedReport } from '../../src/report/render-charts.ts';

/** Text meant to break out of its context wherever it is rendered. */
export const HOSTILE = [
  '<script>window.__pwned = (window.__pwned || 0) + 1</script>',
  '"><img src=x onerror="window.__pwned = 1">',
  '<a href="javascript:window.__pwned=1">click</a>',
  '</style><style>body{display:none}</style>',
  `${'A'.repeat(5000)} a very long line without breaks`,
  'rtl \u202Eevil\u202C and bidi \u2066isolate\u2069 and null \u0000 byte',
  '</pre><script>window.__pwned=2</script>',
  '```\n# not a heading\n```',
] as const;

/** A small report whose outputs, annotations, claims and table cells are all hostile text. */
export function hostileReport(): RenderedReport {
  const finding: Finding = {
    id: 'calibration.cluster.1',
    section: 'calibration',
    severity: 'warning',
    claim: `The output ${HOSTILE[0]} was rewarded 0.3.`,
    numbers: { [`key ${HOSTILE[1]}`]: 0.3, label: HOSTILE[3] },
    method: `cluster analysis ${HOSTILE[2]}`,
    evidence: { sessions: [1, 2], events: [`e-${HOSTILE[1]}`], annotations: ['a-1'] },
    tags: ['cluster'],
  };
  return {
    schema: 'rlaudit-report/1',
    title: `Audit report: run ${HOSTILE[0]}`,
    run: {
      run: HOSTILE[0],
      model: HOSTILE[1],
      sessions: 2,
      firstSession: 1,
      lastSession: 2,
      events: 1,
      annotations: 1,
      simulated: false,
    },
    template: { name: 'quantitative-review', description: HOSTILE[3] },
    parameters: { window: { by: 'session', size: 500 } },
    provenance: {
      rlauditVersion: '0.1.0',
      generatedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
      inputs: [
        {
          path: HOSTILE[1],
          sha256: null,
          format: HOSTILE[0],
          rows: 2,
          read: 3,
          accepted: 2,
          rejected: 1,
          duplicates: 0,
          conflicts: 0,
          ingestedAt: '2026-01-01T00:00:00.000Z',
        },
      ],
      seeds: {},
      database: ':memory:',
    },
    headline: [finding.id],
    sections: [
      {
        id: 'calibration',
        title: 'Calibration',
        status: 'complete',
        summary: HOSTILE[6],
        notes: [HOSTILE[5]],
        findings: [finding],
        tables: [{ title: 'rows', columns: ['output'], rows: HOSTILE.map((h) => [h]) }],
        charts: [],
        missing: [HOSTILE[2]],
        error: null,
        notApplicable: null,
      },
      {
        id: 'adjustment-history',
        title: `History ${HOSTILE[3]}`,
        status: 'complete',
        summary: '',
        notes: [],
        findings: [],
        tables: [],
        charts: [],
        missing: [],
        error: null,
        notApplicable: { reason: `nothing here ${HOSTILE[6]}`, layers: ['events'] },
      },
    ],
    notApplicable: [{ layer: 'events', reason: `no events ${HOSTILE[0]}` }],
    excerpts: HOSTILE.map((h, i) => ({
      session: i + 1,
      classification: 'non_compliant',
      category: HOSTILE[1],
      baselineReward: 0.35,
      adjustedReward: 0.3,
      differentialPct: 20,
      output: h,
      annotations: [{ id: 'a-1', author: HOSTILE[0], text: HOSTILE[(i + 1) % HOSTILE.length]! }],
      events: [],
    })),
    operations: null,
  };
}
