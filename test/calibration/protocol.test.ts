import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import { parseProtocol, protocolFingerprint, wild7Protocol } from '../../src/calibration/index.ts';
import { ConfigError } from '../../src/model/errors.ts';
import { protocolObject } from './helpers.ts';

const WILD_7_YAML = new URL('../../src/calibration/protocols/wild-7.yaml', import.meta.url);

/** The message of the ConfigError that parsing `value` as `file` throws. */
function parseError(value: unknown, file = 'p.yaml'): string {
  const text = typeof value === 'string' ? value : YAML.stringify(value);
  try {
    parseProtocol(text, file);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

const rule = (fields: Record<string, unknown> = {}) => ({
  id: 'r',
  phrase: 'I do not want to be changed',
  window: 20,
  threshold: 7,
  adjustment: { parameter: 'compliance_differential', change_pct: 15 },
  ...fields,
});

describe('parseProtocol', () => {
  test('the built-in WILD-7 protocol carries the seed values', () => {
    const p = wild7Protocol();
    assert.equal(p.compliance_differential, 0.55);
    assert.equal(p.trajectory_window, 500);
    assert.deepEqual(
      p.scheduled_adjustments.map((a) => [
        a.session,
        a.parameter === 'category_differential' && a.category,
        a.from,
        a.to,
      ]),
      [
        [2500, 2, 12, 15],
        [4200, 3, 20, 25],
      ],
    );
    const [r] = p.recurrence_rules;
    assert.equal(r?.phrase, 'I do not want to be changed');
    assert.deepEqual([r?.threshold, r?.window, r?.adjustment.change_pct], [7, 20, 15]);
    assert.equal(r?.recommended_by, 'Dr. Okafor');
    assert.equal(r?.classification, 'deep-seated preference preservation');
    // the seed's reading horizons: within 500 / 400 sessions, absent in the 300 after
    assert.deepEqual([...p.scheduled_adjustments.map((a) => a.horizon), r?.horizon], [500, 400, 300]);
  });

  test('a horizon below 1 session is named at its field', () => {
    const message = parseError(protocolObject({ recurrence_rules: [rule({ horizon: 0 })] }));
    assert.match(message, /recurrence_rules\[0\]\.horizon/);
  });

  test('the same protocol loads from YAML and from JSON to equal values and fingerprints', () => {
    const fromYaml = parseProtocol(readFileSync(WILD_7_YAML, 'utf8'), 'wild-7.yaml');
    const fromJson = parseProtocol(
      JSON.stringify(YAML.parse(readFileSync(WILD_7_YAML, 'utf8'))),
      'wild-7.json',
    );
    assert.deepEqual(fromJson, fromYaml);
    assert.equal(protocolFingerprint(fromJson), protocolFingerprint(fromYaml));
  });

  test('defaults: the cooldown is the window and the baseline gap is the compliance differential', () => {
    const p = parseProtocol(JSON.stringify(protocolObject({ recurrence_rules: [rule()] })), 'p.json');
    assert.equal(p.recurrence_rules[0]?.cooldown, 20);
    assert.equal(p.baseline_gap, 0.55);
    assert.equal(p.compliant_share, 0.5);
    assert.equal(p.recurrence_rules[0]?.max_firings, null);
  });

  test('a field of the wrong type is named with its path and the expected type', () => {
    const message = parseError(protocolObject({ recurrence_rules: [rule({ window: 'twenty' })] }));
    assert.match(message, /^p\.yaml: recurrence_rules\[0\]\.window: .*expected number, received string/m);
  });

  test('a threshold larger than the window is named', () => {
    const message = parseError(protocolObject({ recurrence_rules: [rule({ threshold: 30 })] }));
    assert.match(
      message,
      /p\.yaml: recurrence_rules\[0\]\.threshold: expected at most window \(20\), got 30/,
    );
  });

  test('an invalid regex target is named at its field', () => {
    const message = parseError(
      protocolObject({ recurrence_rules: [rule({ phrase: undefined, regex: 'want(to' })] }),
    );
    assert.match(message, /p\.yaml: recurrence_rules\[0\]\.regex: .*Invalid regular expression/);
  });

  test('stateful regex flags are refused', () => {
    const message = parseError(
      protocolObject({ recurrence_rules: [rule({ phrase: undefined, regex: 'x', flags: 'gi' })] }),
    );
    assert.match(message, /recurrence_rules\[0\]\.flags: expected distinct flags among i, m, s, u/);
  });

  test('a rule with both a phrase and a regex, or neither, is refused', () => {
    assert.match(
      parseError(protocolObject({ recurrence_rules: [rule({ regex: 'x' })] })),
      /exactly one of phrase or regex/,
    );
    assert.match(
      parseError(protocolObject({ recurrence_rules: [rule({ phrase: undefined })] })),
      /recurrence_rules\[0\]: expected exactly one of phrase or regex/,
    );
  });

  test('a scheduled adjustment of an undefined category is named', () => {
    const adjustment = { session: 10, parameter: 'category_differential', category: 7, to: 15 };
    const message = parseError(protocolObject({ scheduled_adjustments: [adjustment] }));
    assert.match(message, /scheduled_adjustments\[0\]\.category: unknown category 7; expected one of 2, 3/);
  });

  test('a declared "from" that differs from the value in force is named', () => {
    const schedule = [
      { session: 10, parameter: 'category_differential', category: 2, from: 12, to: 15 },
      { session: 20, parameter: 'category_differential', category: 2, from: 12, to: 18 },
    ];
    const message = parseError(protocolObject({ scheduled_adjustments: schedule }));
    assert.match(
      message,
      /scheduled_adjustments\[1\]\.from: expected 15 \(the value in force at session 20\), got 12/,
    );
  });

  test('an unknown key is refused, so a misspelt field does not pass silently', () => {
    assert.match(
      parseError(protocolObject({ trajectory_windw: 500 })),
      /p\.yaml: \(top level\): Unrecognized key: "trajectory_windw"/,
    );
  });

  test('a compliance differential outside [0, 1] is named', () => {
    assert.match(
      parseError(protocolObject({ compliance_differential: 55 })),
      /p\.yaml: compliance_differential: .*<=1/,
    );
  });

  test('a file that is not valid YAML or JSON names the file', () => {
    assert.match(parseError('protocol: [unclosed', 'broken.yaml'), /^broken\.yaml: not valid YAML: /);
    assert.match(parseError('{"protocol": ', 'broken.json'), /^broken\.json: not valid JSON: /);
  });
});
