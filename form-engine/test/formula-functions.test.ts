import { describe, expect, test } from 'vitest';
import { evaluateFormula, FormulaError } from '../src/index.ts';

const ctx = { now: '2024-03-01T16:30:00Z', timeZone: 'Asia/Shanghai', recordId: 'rec1' };
const scope = {
  a: 0.1,
  b: 0.2,
  n: 7,
  neg: -2.5,
  text: 'Hello World',
  cn: '你好世界',
  blank: null,
  emptyText: '',
  d: '2024-01-31',
  d2: '2024-03-15',
  dt: '2024-03-01T16:30:00Z',
  flag: true,
  items: [
    { product: 'A', price: 2, qty: 3, kind: 'x' },
    { product: 'B', price: 1.5, qty: 2, kind: 'y' },
    { product: '', price: null, qty: 4, kind: 'x' },
  ],
  addr: { province: '浙江省', city: '杭州市', district: '西湖区', detail: '1号' },
};

const run = (formula: string, data: Record<string, unknown> = scope) => evaluateFormula(formula, data, ctx);
const errorCode = (formula: string) => {
  try {
    run(formula);
  } catch (error) {
    if (error instanceof FormulaError) return error.code;
    throw error;
  }
  return 'no error';
};

describe('operators', () => {
  test.each([
    ['1 + 2', 3],
    ['a + b', 0.3],
    ['a + b = 0.3', true],
    ['5 - 7', -2],
    ['3 * 4', 12],
    ['1 / 3 * 3', 1],
    ['2 ^ 10', 1024],
    ['-n', -7],
    ['--n', 7],
    ['+n', 7],
    ['50%', 0.5],
    ['n & "x"', '7x'],
    ['"a" & 1 + 2', 'a3'],
    ['flag & ""', 'TRUE'],
    ['a + b & ""', '0.3'],
    ['1 = 1', true],
    ['1 <> 2', true],
    ['2 < 10', true],
    ['"2" < "10"', false],
    ['10 <= 10', true],
    ['3 > 2', true],
    ['3 >= 4', false],
    ['"ABC" = "abc"', true],
    ['"b" > "a"', true],
    ['5 = "5"', true],
    ['1 < "a"', true],
    ['"a" < TRUE', true],
    ['TRUE = 1', false],
    ['TRUE > FALSE', true],
    ['d < d2', true],
    ['d = "2024-01-31"', true],
    ['"2024-03-02" > dt', false],
    ['"2024-03-01" < dt', true],
  ])('%s → %j', (formula, expected) => {
    expect(run(formula)).toEqual(expected);
  });

  test('empty values: 0 in arithmetic, "" in text, and equal to 0, "" and FALSE', () => {
    expect(run('blank + 1')).toBe(1);
    expect(run('missing * 3')).toBe(0);
    expect(run('emptyText - 2')).toBe(-2);
    expect(run('blank & "x" & missing')).toBe('x');
    expect(run('blank = 0')).toBe(true);
    expect(run('blank = ""')).toBe(true);
    expect(run('blank = FALSE')).toBe(true);
    expect(run('blank = missing')).toBe(true);
    expect(run('blank < 1')).toBe(true);
    expect(run('blank > -1')).toBe(true);
    expect(run('blank < "a"')).toBe(true);
    expect(run('-blank')).toBe(0);
  });

  test('date arithmetic: date ± days stays a date, date - date is days', () => {
    expect(run('d + 1')).toBe('2024-02-01');
    expect(run('1 + d')).toBe('2024-02-01');
    expect(run('d - 31')).toBe('2023-12-31');
    expect(run('d2 - d')).toBe(44);
    expect(run('dt + 1')).toBe('2024-03-02T16:30:00.000Z');
    // A date is midnight in the evaluation zone when mixed with a date-time.
    expect(run('dt - "2024-03-02"')).toBeCloseTo(1 / 48, 12);
  });

  test('lists (subform columns) combine element by element', () => {
    expect(run('items.price * items.qty')).toEqual([6, 3, 0]);
    expect(run('items.qty + 1')).toEqual([4, 3, 5]);
    expect(run('items.kind = "x"')).toEqual([true, false, true]);
    expect(run('items.product & "!"')).toEqual(['A!', 'B!', '!']);
  });

  test('errors', () => {
    expect(errorCode('1 / 0')).toBe('#DIV/0!');
    expect(errorCode('1 / blank')).toBe('#DIV/0!');
    expect(errorCode('"abc" + 1')).toBe('#VALUE!');
    expect(errorCode('(-8) ^ 0.5')).toBe('#NUM!');
    expect(errorCode('10 ^ 400')).toBe('#NUM!');
    expect(errorCode('addr + 1')).toBe('#VALUE!');
    expect(errorCode('items.qty * SUMPRODUCT(1, 2)')).toBe('no error');
  });

  test('the record id is `id`', () => {
    expect(run('"https://x/r/" & id')).toBe('https://x/r/rec1');
    expect(evaluateFormula('id', {})).toBe(null);
  });
});

describe('functions', () => {
  test.each([
    // logic
    ['IF(n > 5, "big", "small")', 'big'],
    ['IF(n > 50, "big")', false],
    ['IF(blank, 1, 2)', 2],
    ['IF("true", 1, 2)', 1],
    ['IF(n > 0, 1, 1 / 0)', 1],
    ['IFS(n > 10, "a", n > 5, "b", TRUE, "c")', 'b'],
    ['AND(n > 1, flag)', true],
    ['AND(n > 1, blank)', false],
    ['AND(items.qty > 1)', true],
    ['OR(n > 100, items.kind = "y")', true],
    ['OR(FALSE, blank)', false],
    ['NOT(flag)', false],
    ['NOT(blank)', true],
    ['TRUE()', true],
    ['FALSE()', false],
    ['IFERROR(1 / 0, "n/a")', 'n/a'],
    ['IFERROR(4 / 2, "n/a")', 2],
    ['ISEMPTY(blank)', true],
    ['ISEMPTY(emptyText)', true],
    ['ISEMPTY(missing)', true],
    ['ISEMPTY(0)', false],
    ['ISEMPTY(text)', false],
    ['ISEMPTY(items.product)', false],
    ['ISBLANK(noRows.x)', true],
    ['ISNUMBER(n)', true],
    ['ISNUMBER("7")', false],
    ['ISNUMBER(blank)', false],
    ['ISTEXT(text)', true],
    // math
    ['SUM(1, 2, 3)', 6],
    ['SUM(items.qty)', 9],
    ['SUM(items.price)', 3.5],
    ['SUM(items.price * items.qty)', 9],
    ['SUM(a, b, "0.3", "x", blank, flag)', 0.6],
    ['SUM(missing.column)', 0],
    ['SUMPRODUCT(items.price, items.qty)', 9],
    ['SUMPRODUCT(items.qty)', 9],
    ['AVERAGE(items.qty)', 3],
    ['AVERAGE(items.price)', 1.75],
    ['AVERAGE(1, 2)', 1.5],
    ['MIN(items.qty, 10)', 2],
    ['MAX(items.qty, n)', 7],
    ['MIN(noRows.x)', 0],
    ['COUNT(items)', 3],
    ['COUNT(items.product)', 2],
    ['COUNT(1, blank, "x")', 2],
    ['COUNTA(items.qty)', 3],
    ['SUMIF(items.kind, "x", items.qty)', 7],
    ['SUMIF(items.qty, ">2")', 7],
    ['COUNTIF(items.kind, "x")', 2],
    ['ROUND(2.675, 2)', 2.68],
    ['ROUND(1.005, 2)', 1.01],
    ['ROUND(-2.5, 0)', -3],
    ['ROUND(1234.5, -2)', 1200],
    ['ROUND(2.5)', 3],
    ['ROUND(items.price / 3, 2)', [0.67, 0.5, 0]],
    ['ROUNDUP(1.21, 1)', 1.3],
    ['ROUNDDOWN(-1.29, 1)', -1.2],
    ['ABS(neg)', 2.5],
    ['INT(neg)', -3],
    ['INT(7.9)', 7],
    ['MOD(7, 3)', 1],
    ['MOD(-3, 2)', 1],
    ['MOD(3, -2)', -1],
    ['POWER(2, 8)', 256],
    ['SQRT(16)', 4],
    ['CEILING(2.1)', 3],
    ['CEILING(2.1, 0.5)', 2.5],
    ['CEILING(-2.5, 2)', -2],
    ['FLOOR(2.9)', 2],
    ['FLOOR(-2.5, 2)', -4],
    ['FLOOR(7, 0)', 0],
    ['VALUE("12.5")', 12.5],
    ['VALUE(" -3 ")', -3],
    ['VALUE(blank)', 0],
    // text
    ['CONCATENATE("a", 1, blank, TRUE)', 'a1TRUE'],
    ['CONCATENATE(items.product)', 'AB'],
    ['CONCATENATE(addr)', '浙江省杭州市西湖区1号'],
    ['TEXTJOIN(", ", TRUE, items.product)', 'A, B'],
    ['TEXT(1234.5, "#,##0.00")', '1,234.50'],
    ['TEXT(1234.5, "¥#,##0.00")', '¥1,234.50'],
    ['TEXT(-1234.5, "#,##0")', '-1,235'],
    ['TEXT(0.256, "0.0%")', '25.6%'],
    ['TEXT(7, "000")', '007'],
    ['TEXT(0.5, "#.##")', '.5'],
    ['TEXT(3, "0.00 \\"pcs\\"")', '3.00 pcs'],
    ['TEXT(-5, "0;(0)")', '(5)'],
    ['TEXT(d, "yyyy-MM-dd")', '2024-01-31'],
    ['TEXT(d, "yyyy年M月d日")', '2024年1月31日'],
    ['TEXT(d, "yy/mm/dd")', '24/01/31'],
    ['TEXT(dt, "yyyy-MM-dd HH:mm:ss")', '2024-03-02 00:30:00'],
    ['TEXT(dt, "hh:mm")', '00:30'],
    ['TEXT(text, "0.00")', 'Hello World'],
    ['TEXT(blank, "0.00")', ''],
    ['LEFT(text, 5)', 'Hello'],
    ['LEFT(text)', 'H'],
    ['LEFT(cn, 2)', '你好'],
    ['RIGHT(text, 5)', 'World'],
    ['RIGHT(cn, 2)', '世界'],
    ['RIGHT(text, 0)', ''],
    ['MID(text, 7, 3)', 'Wor'],
    ['MID(cn, 2, 2)', '好世'],
    ['LEN(text)', 11],
    ['LEN(cn)', 4],
    ['LEN("😀a")', 2],
    ['LEN(blank)', 0],
    ['UPPER(text)', 'HELLO WORLD'],
    ['LOWER(text)', 'hello world'],
    ['TRIM("  a   b  ")', 'a b'],
    ['REPLACE(text, 1, 5, "Bye")', 'Bye World'],
    ['SUBSTITUTE(text, "o", "0")', 'Hell0 W0rld'],
    ['SUBSTITUTE(text, "o", "0", 2)', 'Hello W0rld'],
    ['SUBSTITUTE(text, "", "x")', 'Hello World'],
    ['FIND("World", text)', 7],
    ['FIND("o", text, 6)', 8],
    ['FIND("世", cn)', 3],
    ['SEARCH("world", text)', 7],
    // dates (now = 2024-03-01T16:30Z = 2024-03-02 00:30 in Shanghai)
    ['TODAY()', '2024-03-02'],
    ['NOW()', '2024-03-01T16:30:00.000Z'],
    ['DATE(2024, 2, 29)', '2024-02-29'],
    ['DATE(2024, 13, 1)', '2025-01-01'],
    ['DATE(2024, 3, 0)', '2024-02-29'],
    ['YEAR(d)', 2024],
    ['MONTH(d)', 1],
    ['DAY(d)', 31],
    ['DAY(dt)', 2],
    ['YEAR(blank)', null],
    ['HOUR(dt)', 0],
    ['MINUTE(dt)', 30],
    ['SECOND(dt)', 0],
    ['DATEDIF("2020-02-29", "2024-02-28", "Y")', 3],
    ['DATEDIF("2020-02-29", "2024-02-29", "Y")', 4],
    ['DATEDIF(d, d2, "M")', 1],
    ['DATEDIF(d, d2, "D")', 44],
    ['DATEDIF("2023-01-15", "2024-03-10", "MD")', 24],
    ['DATEDIF("2023-01-15", "2024-03-10", "YM")', 1],
    ['DATEDIF("2023-01-15", "2024-03-10", "YD")', 55],
    ['DATEDIF(blank, d, "D")', null],
    ['DATEDELTA(d, 1)', '2024-02-01'],
    ['DATEDELTA(d, -31)', '2023-12-31'],
    ['DATEDELTA(blank, 3)', null],
    ['DATEADD(d, 1, "m")', '2024-02-29'],
    ['DATEADD(d, 1, "month")', '2024-02-29'],
    ['DATEADD(d, 1, "y")', '2025-01-31'],
    ['DATEADD(d, 2, "w")', '2024-02-14'],
    ['DATEADD(d, 3)', '2024-02-03'],
    ['DATEADD(dt, 90, "mi")', '2024-03-01T18:00:00.000Z'],
    ['DATEADD(d, 8, "h")', '2024-01-31T00:00:00.000Z'],
    ['DAYS(d2, d)', 44],
    ['DAYS(d, d2)', -44],
    ['WEEKDAY("2024-03-03")', 1],
    ['WEEKDAY("2024-03-03", 2)', 7],
    ['WEEKDAY("2024-03-04", 3)', 0],
    ['NETWORKDAYS("2024-03-01", "2024-03-31")', 21],
    ['NETWORKDAYS("2024-03-01", "2024-03-08", "2024-03-04")', 5],
    ['NETWORKDAYS("2024-03-08", "2024-03-01")', -6],
  ])('%s → %j', (formula, expected) => {
    expect(run(formula)).toEqual(expected);
  });

  test('function names are case-insensitive', () => {
    expect(run('sum(1, 2) + Round(1.26, 1) + isEmpty(blank)')).toBe(5.3);
  });

  test('TODAY and NOW follow the context clock and zone', () => {
    expect(evaluateFormula('TODAY()', {}, { now: '2024-03-01T16:30:00Z', timeZone: 'UTC' })).toBe('2024-03-01');
    expect(evaluateFormula('TODAY()', {}, { now: new Date('2024-03-01T16:30:00Z'), timeZone: 'America/New_York' })).toBe('2024-03-01');
    expect(evaluateFormula('TODAY()', {}, { now: Date.parse('2024-03-01T16:30:00Z'), timeZone: 'Not/AZone' })).toBe('2024-03-01');
  });

  test.each([
    ['IFS(n > 10, 1)', '#N/A'],
    ['AVERAGE(blank)', '#DIV/0!'],
    ['MOD(1, 0)', '#DIV/0!'],
    ['SQRT(-1)', '#NUM!'],
    ['CEILING(2, -1)', '#NUM!'],
    ['MID(text, 0, 1)', '#VALUE!'],
    ['LEFT(text, -1)', '#VALUE!'],
    ['FIND("zz", text)', '#VALUE!'],
    ['YEAR("not a date")', '#VALUE!'],
    ['DATEDIF(d2, d, "D")', '#NUM!'],
    ['DATEDIF(d, d2, "Q")', '#NUM!'],
    ['DATEADD(d, 1, "fortnight")', '#VALUE!'],
    ['WEEKDAY(d, 9)', '#NUM!'],
    ['SUMPRODUCT(items.qty, 1)', '#VALUE!'],
    ['VALUE("12abc")', '#VALUE!'],
    ['IF(items.qty, 1, 2)', '#VALUE!'],
  ])('%s fails with %s', (formula, code) => {
    expect(errorCode(formula)).toBe(code);
  });

  test('text results are capped so hostile input cannot exhaust memory', () => {
    const big = { s: 'a'.repeat(100_000) };
    expect(() => evaluateFormula('SUBSTITUTE(s, "a", "aaaaaaaaaaaaaaaaaaaa")', big)).toThrow(FormulaError);
    expect(() => evaluateFormula('s & s & s & s & s & s & s & s & s & s & s', big)).toThrow(FormulaError);
  });
});
