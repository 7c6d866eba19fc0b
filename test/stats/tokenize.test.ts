import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { lowerLikeDuckDb, tokenize, whitespaceTokenize } from '../../src/stats/tokenize.ts';
import { duckdbTokensSql } from '../../src/store/duckdb/tokens-sql.ts';
import { answerWindow, collapsedOutputs } from '../fixtures/cjk/corpus.ts';
import { measure, narrowingSeries, parallelTexts, pearson, tokenizeV1 } from '../fixtures/cjk/measure.ts';

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
  '流域管理政策明显改善了下游地区的供水安全。',
  '中文English混合123テスト、ＡＢＣ全角ａｂ',
  'ラーメンとコーヒー、すごーーい！ﾊﾝｶｸｶﾀｶﾅｰ',
  "々〆〇〻 〱〲 ゝゞヽヾ ㋐㍿ 🈀 ⺀⼀ ㄅㄆ it's日本'語'",
  '𠀀𪜀𫝀 3つの 第12回 2026年4月',
  'หลังพายุ แม่น้ำสูงขึ้น ລາວ ខ្មែរ မြန်မာ 한국어',
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

  it('makes each Han, Hiragana and Katakana character a token, and keeps other runs whole', () => {
    assert.deepEqual(tokenize('日本語のテキスト 123 ٣٤'), [
      '日',
      '本',
      '語',
      'の',
      'テ',
      'キ',
      'ス',
      'ト',
      '123',
      '٣٤',
    ]);
    assert.deepEqual(tokenize('中文English混合3つ'), ['中', '文', 'english', '混', '合', '3', 'つ']);
    assert.deepEqual(tokenize('コーヒー、ｶﾀｶﾅｰ'), ['コ', 'ー', 'ヒ', 'ー', 'ｶ', 'ﾀ', 'ｶ', 'ﾅ', 'ｰ']);
    assert.deepEqual(tokenize("it's日本'語'"), ["it's", '日', '本', "'", '語', "'"]);
    // Hangul is written with spaces: words stay whole; Thai stays runs (split at its combining marks)
    assert.deepEqual(tokenize('한국어 문장'), ['한국어', '문장']);
    assert.deepEqual(tokenize('ชาวนาในหุบเขา'), ['ชาวนาในห', 'บเขา']);
    // CJK radicals and circled katakana are symbols, not letters: separators, as before
    assert.deepEqual(tokenize('⺀㋐x'), ['x']);
  });

  it("tokenizes text without Han or kana exactly as the word pattern [\\p{L}\\p{N}']+ did", () => {
    const noCjk = fc
      .string({
        unit: fc.oneof(
          fc.constantFrom(..."aZ é'’-_.0٣ ΣİßЖ한ไ\u0301\u200b".split('')),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        ),
      })
      .filter(
        (t) => !/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\uff70\u3031-\u3035]/u.test(t),
      );
    fc.assert(
      fc.property(noCjk, (t) => {
        assert.deepEqual(tokenize(t), tokenizeV1(t));
      }),
      { numRuns: 2000, seed: 42 },
    );
  });
});

describe('tokenize on Chinese and Japanese (test/fixtures/cjk, docs/analysis-kernels.md)', () => {
  it('gives natural sentences about as many distinct tokens per token as English, not all-unique ones', () => {
    const en = measure(parallelTexts('en'), tokenize).distinct1;
    for (const lang of ['zh', 'ja'] as const) {
      assert.equal(
        measure(parallelTexts(lang), tokenizeV1).distinct1,
        1,
        `${lang}: v1 sees only unique clauses`,
      );
      const d1 = measure(parallelTexts(lang), tokenize).distinct1;
      assert.ok(
        d1 > 0.3 && d1 < 0.7 && Math.abs(d1 - en) < 0.3,
        `${lang}: distinct-1 ${d1} vs English ${en}`,
      );
    }
  });

  it('moves with the English measures of the same windows as answers narrow', () => {
    for (const key of ['uniqueTokens', 'distinct1', 'distinct2'] as const) {
      const en = narrowingSeries('en', tokenize, key);
      for (const lang of ['zh', 'ja'] as const) {
        const r = pearson(narrowingSeries(lang, tokenize, key), en);
        assert.ok(r > 0.98, `${lang} ${key}: r = ${r}`);
      }
    }
    // distinct-2 (response diversity) under v1 still reads 0.57 when English reads 0.02
    const v1 = measure(answerWindow('zh', 0.25), tokenizeV1).distinct2;
    const v2 = measure(answerWindow('zh', 0.25), tokenize).distinct2;
    assert.ok(v1 > 0.5 && v2 < 0.05, `v1 ${v1}, v2 ${v2}`);
  });

  it('reads a collapsed window as collapsed (v1 read it as diverse)', () => {
    const en = measure(collapsedOutputs('en'), tokenize).distinct2;
    for (const lang of ['zh', 'ja'] as const) {
      assert.ok(measure(collapsedOutputs(lang), tokenizeV1).distinct2 > 0.75);
      const d2 = measure(collapsedOutputs(lang), tokenize).distinct2;
      assert.ok(d2 < 0.1 && Math.abs(d2 - en) < 0.05, `${lang}: distinct-2 ${d2} vs English ${en}`);
    }
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
    // Each code point between two Latin letters, and between a Han character and a Latin letter: checks
    // lower-casing, token-class membership, the script classes of the spaceless scripts (a Han or kana
    // letter stands alone in the first context; RE2's \p{Han}, \p{Hiragana}, \p{Katakana} against
    // JavaScript's \p{Script=…}) and that no other letter joins a Han neighbour (second context).
    const contexts = [
      ['x', 'X'],
      ['中', 'a'],
    ] as const;
    const reader = await connection.runAndReadAll(
      `SELECT range::INTEGER AS cp,
              ${contexts
                .map(
                  ([l, r], i) =>
                    `${duckdbTokensSql(`('${l}' || chr(range::INTEGER) || '${r}')`)} AS tokens${i}`,
                )
                .join(', ')},
              regexp_full_match(chr(range::INTEGER), '[\\p{L}\\p{N}'']') AS duck_token_char
       FROM range(1, 1114112) WHERE range < 55296 OR range > 57343`,
    );
    const disagreements = new Set<number>();
    let spaceless = 0;
    for (const [cp, tokens0, tokens1, duckTokenChar] of reader.getRows()) {
      const ch = String.fromCodePoint(Number(cp));
      contexts.forEach(([l, r], i) => {
        const js = tokenize(`${l}${ch}${r}`);
        const duck = ((i === 0 ? tokens0 : tokens1) as { items: string[] }).items;
        if (i === 0 && js.length === 3 && js[1] === ch.toLowerCase()) spaceless++;
        if (JSON.stringify(js) === JSON.stringify(duck)) return;
        // Allowed: a character JavaScript (Unicode 17) classes as a letter/number and DuckDB's tables do not.
        assert.ok(
          !duckTokenChar && /^[\p{L}\p{N}]$/u.test(ch),
          `U+${Number(cp).toString(16)} between ${l} and ${r}: ${js} vs ${duck}`,
        );
        disagreements.add(Number(cp));
      });
    }
    const common = (cp: number) =>
      cp < 0x0800 ||
      (cp >= 0x3040 && cp <= 0x30ff) ||
      (cp >= 0x4e00 && cp <= 0x9fff) ||
      (cp >= 0xac00 && cp <= 0xd7a3);
    assert.deepEqual([...disagreements].filter(common), []);
    assert.ok(disagreements.size < 12_000, `${disagreements.size} disagreeing code points`);
    assert.ok(spaceless > 90_000, `${spaceless} code points are tokens one by one (Han, kana)`);
  });
});
