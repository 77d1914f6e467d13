import { describe, expect, test } from 'vitest';
import { FORMULA_FUNCTIONS, FormulaSyntaxError, formulaDependencies, parseFormula, type FormulaNode } from '../src/index.ts';

/** A compact, fully parenthesised rendering of the AST, to assert precedence. */
function show(node: FormulaNode): string {
  switch (node.type) {
    case 'number':
      return String(node.value);
    case 'string':
      return JSON.stringify(node.value);
    case 'boolean':
      return node.value ? 'TRUE' : 'FALSE';
    case 'ref':
      return node.name;
    case 'unary':
      return node.op === '%' ? `(${show(node.operand)}%)` : `(${node.op}${show(node.operand)})`;
    case 'binary':
      return `(${show(node.left)} ${node.op} ${show(node.right)})`;
    case 'call':
      return `${node.name}(${node.args.map(show).join(', ')})`;
  }
}

function syntaxError(source: string): FormulaSyntaxError {
  try {
    parseFormula(source);
  } catch (error) {
    if (error instanceof FormulaSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for ${source}`);
}

describe('parsing', () => {
  test.each([
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['(1 + 2) * 3', '((1 + 2) * 3)'],
    ['10 - 4 - 3', '((10 - 4) - 3)'],
    ['8 / 4 / 2', '((8 / 4) / 2)'],
    ['2 ^ 3 ^ 2', '(2 ^ (3 ^ 2))'],
    ['-2 ^ 2', '(-(2 ^ 2))'],
    ['-2 * 3', '((-2) * 3)'],
    ['+a', '(+a)'],
    ['50%', '(50%)'],
    ['a & b & "c"', '((a & b) & "c")'],
    ['1 + 2 & 3', '((1 + 2) & 3)'],
    ['a + 1 > b * 2', '((a + 1) > (b * 2))'],
    ['a = 1', '(a = 1)'],
    ['a == 1', '(a = 1)'],
    ['a <> 1', '(a <> 1)'],
    ['a != 1', '(a <> 1)'],
    ['a <= 1', '(a <= 1)'],
    ['a >= 1', '(a >= 1)'],
    ['a < 1', '(a < 1)'],
    ['SUM(items.amount) * (1 - discount)', '(SUM(items.amount) * (1 - discount))'],
    ['sum(1, 2)', 'SUM(1, 2)'],
    ['If(TRUE, false, True)', 'IF(TRUE, FALSE, TRUE)'],
    ['TODAY()', 'TODAY()'],
    ['=1+1', '(1 + 1)'],
    ['1.5e3 + .5', '(1500 + 0.5)'],
    ['"say ""hi"""', '"say \\"hi\\""'],
    ["'single'", '"single"'],
    ['"a\\nb"', '"a\\nb"'],
    ['“中文”', '"中文"'],
    ['SUM（1，2）', 'SUM(1, 2)'],
    ['id & "-"', '(id & "-")'],
    ['address.city', 'address.city'],
  ])('%s', (source, expected) => {
    expect(show(parseFormula(source))).toBe(expected);
  });

  test('nodes carry their source span', () => {
    const ast = parseFormula('a + SUM(b)');
    expect(ast).toMatchObject({ type: 'binary', start: 0, end: 10, right: { type: 'call', start: 4, end: 10 } });
  });
});

describe('syntax errors name the position', () => {
  test.each([
    ['', 0, 'Formula is empty'],
    ['1 +', 3, 'Unexpected end of formula at position 3'],
    ['(1 + 2', 6, "Missing ')' for '(' at position 0"],
    ['1 + 2)', 5, "Unmatched ')' at position 5"],
    ['SUM(1,', 6, 'Unexpected end of formula at position 6'],
    ['SUM(1 2)', 6, "Unexpected '2' at position 6"],
    ['"open', 0, 'Unterminated text starting at position 0'],
    ['a # b', 2, "Unexpected character '#' at position 2"],
    ['* 2', 0, "Unexpected '*' at position 0"],
    ['IF(1)', 0, 'IF expects 2 to 3 arguments, got 1'],
    ['ROUND()', 0, 'ROUND expects 1 to 2 arguments, got 0'],
    ['IFS(a, 1, b)', 0, 'IFS expects condition/value pairs'],
    ['TODAY(1)', 0, 'TODAY expects 0 arguments, got 1'],
    ['1 + 1e999', 4, 'Number out of range'],
  ])('%j', (source, position, message) => {
    const error = syntaxError(source);
    expect(error.position).toBe(position);
    expect(error.message).toContain(message);
    expect(error.code).toBe('formula_syntax');
  });

  test('an unknown function is its own code, with its position', () => {
    const error = syntaxError('1 + FOO(2)');
    expect(error).toMatchObject({ code: 'unknown_function', position: 4, message: 'Unknown function FOO at position 4' });
    expect(syntaxError('items.sum(1)').code).toBe('unknown_function');
  });

  test('absurd nesting is refused instead of overflowing the stack', () => {
    expect(syntaxError(`${'('.repeat(500)}1${')'.repeat(500)}`).message).toContain('nested too deeply');
  });

  test('non-text input is refused', () => {
    expect(syntaxError(42 as unknown as string).message).toBe('Formula must be text');
  });
});

describe('dependencies', () => {
  test('lists every reference once, in order, with subform columns and the record id', () => {
    expect(formulaDependencies(parseFormula('IF(a > 0, SUM(items.amount) * a, b) & id & -c & a'))).toEqual(['a', 'items.amount', 'b', 'id', 'c']);
    expect(formulaDependencies(parseFormula('1 + 2'))).toEqual([]);
  });
});

test('the function list covers the documented functions', () => {
  const required = 'IF IFS AND OR NOT SUM SUMPRODUCT AVERAGE MIN MAX COUNT ROUND ABS CONCATENATE TEXT LEFT RIGHT MID LEN UPPER LOWER TODAY NOW DATE YEAR MONTH DAY DATEDIF DATEDELTA DATEADD ISEMPTY VALUE INT MOD POWER SQRT CEILING FLOOR TRIM REPLACE SUBSTITUTE FIND ISNUMBER DAYS WEEKDAY';
  for (const name of required.split(' ')) expect(FORMULA_FUNCTIONS).toContain(name);
});
