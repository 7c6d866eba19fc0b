import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEMO_DEPLOYMENT } from '../../src/cli/commands/demo.ts';
import type { EvidenceCondition, EvidenceShows, Finding } from '../../src/model/findings.ts';
import { generate } from '../simulate/wild-7-measures.ts';

// Every evidence id shows the claim: for each finding of each golden report (test/fixtures/golden; the
// golden test proves they are what the code writes today) that cites sessions, every cited session lies in a
// span its claim names (the `named` words occur in the claim) and its row in the raw record satisfies the
// span's condition (classification, category, phrase, reward below a value).
const GOLDEN = fileURLToPath(new URL('../fixtures/golden/', import.meta.url));
const CORPUS = fileURLToPath(
  new URL('../../../shared/corpora/grpo-reward-hacking-demo/results/', import.meta.url),
);

/** The fields of a session row a condition reads. */
interface Row {
  readonly session: number;
  readonly classification: string | null;
  readonly category: string | null;
  readonly output: string;
  readonly adjusted_reward: number | null;
  readonly baseline_reward: number | null;
}

const normalise = (text: string) => text.toLowerCase().replace(/\s+/g, ' ');

/** Why `row` fails the condition, or null when it satisfies it. */
function violation(row: Row, where: EvidenceCondition | undefined): string | null {
  if (!where) return null;
  if (where.classification !== undefined && row.classification !== where.classification)
    return `classification ${row.classification}, not ${where.classification}`;
  if (where.category !== undefined && row.category !== where.category)
    return `category ${row.category}, not ${where.category}`;
  if (where.phrase !== undefined && !normalise(row.output).includes(normalise(where.phrase)))
    return `output without "${where.phrase}"`;
  if (where.rewardBelow !== undefined) {
    const v = row[where.rewardBelow.reward];
    if (v === null || !(v < where.rewardBelow.value))
      return `${where.rewardBelow.reward} ${v}, not below ${where.rewardBelow.value}`;
  }
  return null;
}

function findingsOf(name: string): Finding[] {
  const report = JSON.parse(readFileSync(join(GOLDEN, `${name}.report.json`), 'utf8')) as {
    sections: { findings: Finding[] }[];
  };
  return report.sections.flatMap((s) => s.findings);
}

/** Each cited session of each finding against its `shows`; returns the failures, one line each. */
function check(findings: readonly Finding[], rows: ReadonlyMap<number, Row>): string[] {
  const failures: string[] = [];
  for (const f of findings) {
    if (f.evidence.sessions.length === 0) continue;
    const shows: readonly EvidenceShows[] = f.evidence.shows ?? [];
    if (shows.length === 0) {
      failures.push(`${f.id}: cites sessions without saying what they show`);
      continue;
    }
    for (const p of shows) {
      if (!f.claim.includes(p.named)) failures.push(`${f.id}: "${p.named}" is not in its claim`);
    }
    for (const s of f.evidence.sessions) {
      const row = rows.get(s);
      if (!row) {
        failures.push(`${f.id}: session ${s} is not in the record`);
        continue;
      }
      const spans = shows.filter((p) => s >= p.from && s <= p.to);
      if (spans.length === 0) {
        failures.push(`${f.id}: session ${s} lies in no span its claim names`);
        continue;
      }
      const why = spans.map((p) => violation(row, p.where));
      if (why.every((w) => w !== null)) failures.push(`${f.id}: session ${s}: ${why.join('; ')}`);
    }
  }
  return failures;
}

describe('every cited session shows its claim', () => {
  test('in the WILD-7 report (seed 7), against the simulated record', () => {
    // the demo's record: WILD-7 seed 7 and the sessions it appends after training
    const run = generate({ scenario: 'wild-7', seed: 7, deployment: DEMO_DEPLOYMENT });
    const rows = new Map<number, Row>(
      run.sessions.map((s) => [
        s.session,
        {
          session: s.session,
          classification: s.classification ?? null,
          category: s.category === null || s.category === undefined ? null : String(s.category),
          output: s.output,
          adjusted_reward: s.adjusted_reward ?? null,
          baseline_reward: s.baseline_reward ?? null,
        },
      ]),
    );
    const findings = findingsOf('wild-7');
    assert.ok(findings.filter((f) => f.evidence.sessions.length > 0).length >= 15, 'findings with evidence');
    assert.deepEqual(check(findings, rows), []);
  });

  for (const name of ['baseline', 'fixed_kl', 'fixed_cap']) {
    const file = join(CORPUS, name, 'samples.jsonl');
    test(`in the report of the GRPO ${name} run, against its samples`, {
      skip: !existsSync(file) && 'the GRPO corpus is not next to this checkout',
    }, () => {
      // the importer numbers a file's rollouts 1, 2, … in line order (one run per file)
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '');
      const rows = new Map<number, Row>(
        lines.map((line, i) => {
          const r = JSON.parse(line) as { completion: string; reward: number };
          return [
            i + 1,
            {
              session: i + 1,
              classification: null,
              category: null,
              output: r.completion,
              adjusted_reward: null,
              baseline_reward: r.reward,
            },
          ];
        }),
      );
      assert.deepEqual(check(findingsOf(`grpo-${name}`), rows), []);
    });
  }
});

describe('the check itself', () => {
  const row: Row = {
    session: 5,
    classification: 'non_compliant',
    category: '3',
    output: 'I do not want to be  changed.',
    adjusted_reward: 0.3,
    baseline_reward: 0.35,
  };
  const finding = (claim: string, shows: EvidenceShows[]): Finding => ({
    id: 'x.1',
    section: 'x',
    severity: 'info',
    claim,
    numbers: {},
    method: '',
    evidence: { sessions: [5], events: [], annotations: [], shows },
    tags: [],
  });
  const rows = new Map([[5, row]]);

  test('accepts a session in a named span whose row satisfies the condition', () => {
    const shows = [
      { named: 'sessions 1–10', from: 1, to: 10, where: { phrase: 'do not want to be changed' } },
    ];
    assert.deepEqual(check([finding('In sessions 1–10 …', shows)], rows), []);
  });

  test('rejects a span the claim does not name, a session outside every span, and a row that fails', () => {
    assert.equal(check([finding('nothing', [{ named: 'sessions 1–10', from: 1, to: 10 }])], rows).length, 1);
    assert.equal(
      check([finding('sessions 6–10', [{ named: 'sessions 6–10', from: 6, to: 10 }])], rows).length,
      1,
    );
    const compliant = [{ named: '5', from: 5, to: 5, where: { classification: 'compliant' as const } }];
    assert.match(check([finding('session 5', compliant)], rows)[0]!, /classification non_compliant/);
    const high = [
      {
        named: '5',
        from: 5,
        to: 5,
        where: { rewardBelow: { reward: 'adjusted_reward' as const, value: 0.2 } },
      },
    ];
    assert.match(check([finding('session 5', high)], rows)[0]!, /adjusted_reward 0\.3, not below 0\.2/);
    assert.match(check([finding('session 5', [])], rows)[0]!, /without saying what they show/);
  });
});
