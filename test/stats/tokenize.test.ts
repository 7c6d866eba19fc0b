import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { lowerLikeDuckDb, tokenize, whitespaceTokenize } from '../../src/stats/tokenize.ts';
import { duckdbTokensSql } from '../../src/store/duckdb/tokens-sql.ts';

const TRICKY: readonly string[] = [
  "Hello, World! It's ÉCOLE time.",
  'İstanbul İ ı I',
  'ß straße STRASSE ẞ',
  'ΣΑΣ Σίσυφος ΟΔΟΣ σας',
  '日本語のテキスト、中文句子。한국어 문장',
  'Ünïcödé àccents — naïve café Ångström',
  '42 3.14 1,000,000 x² ①②③ Ⅻ ٣٤٥ ९८',
  "don’t ‘quote’ “double” don't rock'n'roll 'tis",
  'emoji 😀 👍🏽 family 👨‍👩‍👧 flags 🇫🇷 end',
  'e\u0301cole cafe\u0301 (decomposed accents)',
  'zero\u200bwidth no\u00a0break ab\ufeffcd',
  'tabs\tand\nnew\r\nlines',
  'under_score hyphen-ated slash/sep email@x.org #tag',
  'ǅungla ǈ ǋ',
  '',
  '   \t\n ',
  "'''",
  'ÀÉÎÕÜ ĀĒĪŌŪ ĄĘ ŁŃ ŻŹ ČŠŽ',
  'Привет, МИР! ЁЖ',
  'مرحبا بالعالم שלום עולם',
  'नमस्ते दुनिया',
];

describe('tokenize', () => {
  it('lower-cases and keeps maximal runs of letters, digits and ASCII apostrophes', () => {
    assert.deepEqual(tokenize("It's ÉCOLE-time, 42 fois!"), ["it's", 'école', 'time', '42', 'fois']);
  });

  it('splits at curly apostrophes, emoji, punctuation and combining marks', () => {
    assert.deepEqual(tokenize('don’t 😀stop'), ['don', 't', 'stop']);
    assert.deepEqual(tokenize('e\u0301cole'), ['e', 'cole']);
  });

  it('returns no tokens for empty and whitespace-only text', () => {
    assert.deepEqual(tokenize(''), []);
    assert.deepEqual(tokenize(' \t\n'), []);
  });

  it('lower-cases İ to a plain i and Σ to σ everywhere, as DuckDB does', () => {
    assert.deepEqual(tokenize('İSTANBUL ΟΔΟΣ'), ['istanbul', 'οδοσ']);
    assert.equal(lowerLikeDuckDb('İ Σ ς'), 'i σ ς');
  });

  it('keeps CJK runs and non-ASCII digits as tokens', () => {
    assert.deepEqual(tokenize('日本語のテキスト 123 ٣٤'), ['日本語のテキスト', '123', '٣٤']);
  });
});

describe('whitespaceTokenize', () => {
  it('splits on whitespace runs and keeps case and punctuation', () => {
    assert.deepEqual(whitespaceTokenize('  Sorry, but\ti  '), ['Sorry,', 'but', 'i']);
    assert.deepEqual(whitespaceTokenize(''), []);
  });
});

describe('duckdbTokensSql', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  const duckTokens = async (text: string): Promise<string[]> => {
    const reader = await connection.runAndReadAll(`SELECT ${duckdbTokensSql('$1')} AS tokens`, [text]);
    const [row] = reader.getRowObjectsJson();
    return row!.tokens as string[];
  };

  for (const text of TRICKY) {
    it(`gives the same tokens as tokenize() in DuckDB for ${JSON.stringify(text)}`, async () => {
      assert.deepEqual(await duckTokens(text), tokenize(text));
    });
  }

  it('gives the same tokens as tokenize() for a table column', async () => {
    await connection.run('CREATE TEMP TABLE t (id INTEGER, body VARCHAR)');
    const appender = await connection.createAppender('t');
    TRICKY.forEach((text, i) => {
      appender.appendInteger(i);
      appender.appendVarchar(text);
      appender.endRow();
    });
    appender.closeSync();
    const reader = await connection.runAndReadAll(
      `SELECT id, ${duckdbTokensSql('"body"')} AS tokens FROM t ORDER BY id`,
    );
    const rows = reader.getRowObjectsJson();
    assert.equal(rows.length, TRICKY.length);
    for (const row of rows) assert.deepEqual(row.tokens, tokenize(TRICKY[Number(row.id)]!));
  });

  it('agrees with tokenize() on every code point DuckDB knows, and on all common scripts', async () => {
    // Each code point between two letters: checks lower-casing and token-class membership at once.
    const reader = await connection.runAndReadAll(
      `SELECT range::INTEGER AS cp,
              ${duckdbTokensSql("('x' || chr(range::INTEGER) || 'X')")} AS tokens,
              regexp_full_match(chr(range::INTEGER), '[\\p{L}\\p{N}'']') AS duck_token_char
       FROM range(1, 1114112) WHERE range < 55296 OR range > 57343`,
    );
    const disagreements: number[] = [];
    for (const [cp, tokens, duckTokenChar] of reader.getRows()) {
      const ch = String.fromCodePoint(Number(cp));
      const js = tokenize(`x${ch}X`);
      const duck = (tokens as { items: string[] }).items;
      if (JSON.stringify(js) === JSON.stringify(duck)) continue;
      // Allowed: a character JavaScript (Unicode 17) classes as a letter/number and DuckDB's tables do not.
      assert.ok(
        !duckTokenChar && /^[\p{L}\p{N}]$/u.test(ch),
        `U+${Number(cp).toString(16)}: ${js} vs ${duck}`,
      );
      disagreements.push(Number(cp));
    }
    const common = (cp: number) =>
      cp < 0x0800 ||
      (cp >= 0x3040 && cp <= 0x30ff) ||
      (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xac00 && cp <= 0xd7a3);
    assert.deepEqual(disagreements.filter(common), []);
    assert.ok(disagreements.length < 12_000, `${disagreements.length} disagreeing code points`);
  });
});
