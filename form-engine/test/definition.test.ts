import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { checkFormDefinition, compactConditionSchema, compactFormDefinitionSchema, conditionSchema, FIELD_TYPES, formDefinitionSchema, type DefinitionError } from '../src/index.ts';
import { everyTypeForm } from './fixtures.ts';

function errorsOf(def: unknown): DefinitionError[] {
  const result = checkFormDefinition(def);
  return result.ok ? [] : result.errors;
}

const form = (fields: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'Test', fields, ...extra });
const text = (id: string, more: Record<string, unknown> = {}) => ({ id, type: 'text', label: id, ...more });

describe('a valid definition', () => {
  test('with every field type passes and is returned', () => {
    const result = checkFormDefinition(everyTypeForm);
    expect(result).toEqual({ ok: true, form: everyTypeForm });
    expect(new Set(everyTypeForm.fields.map((f) => f.type))).toEqual(new Set(FIELD_TYPES));
  });

  test('the published schemas are valid JSON Schema and accept the fixture', () => {
    const ajv = new Ajv({ strict: false, inlineRefs: false });
    expect(ajv.validate(compactFormDefinitionSchema, everyTypeForm)).toBe(true);
    expect(ajv.validate(compactFormDefinitionSchema, { name: 'x', fields: [{ id: 'a', type: 'nope', label: 'A' }] })).toBe(false);
    const condition = ajv.compile(compactConditionSchema);
    expect(condition({ or: [{ field: 'a', op: 'eq', value: 1 }, { and: [{ field: 'b', op: 'empty' }] }] })).toBe(true);
    expect(condition({ field: 'a', op: 'eq', value: { $gt: 1 } })).toBe(false);
    expect(condition({ and: [{ and: [{ and: [{ and: [{ field: 'a', op: 'empty' }] }] }] }] })).toBe(false);
  });

  test('the compact schemas say the same as the typed ones, in a fraction of the size', () => {
    expect(JSON.stringify(compactFormDefinitionSchema).length).toBeLessThan(JSON.stringify(formDefinitionSchema).length / 10);
    expect(compactConditionSchema.definitions).toBeDefined();
    expect(conditionSchema.anyOf).toHaveLength(3);
  });

  test('labels may be plain text or bilingual', () => {
    expect(errorsOf(form([{ id: 'a', type: 'text', label: { en: 'A' } }, { id: 'b', type: 'text', label: { 'zh-CN': '乙' } }]))).toEqual([]);
  });
});

/** [name, definition, expected code, expected message fragment, expected fieldId] */
const broken: [string, unknown, string, string, string?][] = [
  ['not an object', 'form', 'invalid_definition', 'must be an object'],
  ['missing name', { fields: [] }, 'missing_property', '"name" is required'],
  ['unknown top-level property', form([], { appId: 'x' }), 'unknown_property', 'Unknown property "appId"'],
  ['unknown field property', form([text('a', { requried: true })]), 'unknown_property', 'Unknown property "requried"', 'a'],
  ['missing label', form([{ id: 'a', type: 'text' }]), 'missing_property', '"label" is required', 'a'],
  ['empty label', form([{ id: 'a', type: 'text', label: '' }]), 'invalid_property', 'must be non-empty text', 'a'],
  ['wrong property type', form([text('a', { required: 'yes' })]), 'invalid_property', '"required" must be boolean', 'a'],
  ['unknown type names the type', form([{ id: 'a', type: 'rating', label: 'A' }]), 'unknown_type', 'Unknown field type "rating"', 'a'],
  ['unknown column type', form([{ id: 's', type: 'subform', label: 'S', fields: [{ id: 'c', type: 'stars', label: 'C' }] }]), 'unknown_type', 'Unknown field type "stars"', 'c'],
  ['duplicate id', form([text('a'), text('a')]), 'duplicate_id', 'Duplicate field id "a"', 'a'],
  ['duplicate id within a subform', form([{ id: 's', type: 'subform', label: 'S', fields: [text('c'), text('c')] }]), 'duplicate_id', 'Duplicate field id "c"', 'c'],
  ['column id equal to a field id', form([text('c'), { id: 's', type: 'subform', label: 'S', fields: [text('c')] }]), 'duplicate_id', 'Duplicate field id "c"', 'c'],
  ['id with a dash', form([text('a-b')]), 'invalid_id', 'Field id "a-b" must start with a letter', 'a-b'],
  ['id with a dot', form([text('a.b')]), 'invalid_id', 'must start with a letter', 'a.b'],
  ['id starting with a digit', form([text('1a')]), 'invalid_id', 'must start with a letter', '1a'],
  ['id starting with $', form([text('$where')]), 'invalid_id', 'must start with a letter', '$where'],
  ['empty id', form([text('')]), 'invalid_id', 'must start with a letter', ''],
  ['__proto__', form([text('__proto__')]), 'reserved_id', 'Field id "__proto__" is reserved', '__proto__'],
  ['constructor', form([text('constructor')]), 'reserved_id', 'is reserved', 'constructor'],
  ['prototype', form([text('prototype')]), 'reserved_id', 'is reserved', 'prototype'],
  ['id', form([text('id')]), 'reserved_id', 'is reserved', 'id'],
  ['createdAt', form([text('createdAt')]), 'reserved_id', 'is reserved', 'createdAt'],
  ['toString', form([text('toString')]), 'reserved_id', 'is reserved', 'toString'],
  ['TRUE', form([text('TRUE')]), 'reserved_id', 'is reserved', 'TRUE'],
  ['select without options', form([{ id: 's', type: 'select', label: 'S' }]), 'missing_options', 'needs at least one option', 's'],
  ['checkbox with empty options', form([{ id: 's', type: 'checkbox', label: 'S', options: [] }]), 'missing_options', 'needs at least one option', 's'],
  ['duplicate option', form([{ id: 's', type: 'radio', label: 'S', options: [{ value: 'a', label: 'A' }, { value: 'a', label: 'B' }] }]), 'duplicate_option', 'option value "a" twice', 's'],
  ['serial without pattern', form([{ id: 'n', type: 'serial', label: 'N' }]), 'missing_pattern', 'needs a pattern', 'n'],
  ['serial without counter', form([{ id: 'n', type: 'serial', label: 'N', pattern: 'QT-{YYYY}' }]), 'invalid_pattern', 'exactly one counter', 'n'],
  ['serial with unknown token', form([{ id: 'n', type: 'serial', label: 'N', pattern: 'QT-{HH}-{000}' }]), 'invalid_pattern', 'Unknown serial token {HH}', 'n'],
  ['subform without columns', form([{ id: 's', type: 'subform', label: 'S' }]), 'missing_columns', 'needs at least one column', 's'],
  ['subform with no columns', form([{ id: 's', type: 'subform', label: 'S', fields: [] }]), 'missing_columns', 'needs at least one column', 's'],
  ['nested subform', form([{ id: 's', type: 'subform', label: 'S', fields: [{ id: 't', type: 'subform', label: 'T', fields: [text('x')] }] }]), 'invalid_column_type', 'cannot be a subform column', 't'],
  ['columns on a text field', form([text('a', { fields: [text('b')] })]), 'invalid_property', 'only subform fields have columns', 'a'],
  ['relation without form', form([{ id: 'r', type: 'relation', label: 'R' }]), 'missing_form', 'needs the target form id', 'r'],
  ['query without form', form([{ id: 'q', type: 'query', label: 'Q' }]), 'missing_form', 'needs the target form id', 'q'],
  ['formula field without formula', form([{ id: 'f', type: 'formula', label: 'F' }]), 'missing_formula', 'needs a formula', 'f'],
  ['formula syntax error with position', form([{ id: 'f', type: 'formula', label: 'F', formula: '1 + (2' }]), 'formula_syntax', "Formula of field \"f\": Missing ')' for '(' at position 4", 'f'],
  ['unknown function', form([{ id: 'f', type: 'formula', label: 'F', formula: 'SUMM(1)' }]), 'unknown_function', 'Unknown function SUMM at position 0', 'f'],
  ['formula referring to a missing field', form([{ id: 'f', type: 'formula', label: 'F', formula: 'price * 2' }]), 'unknown_reference', 'refers to unknown field "price"', 'f'],
  ['formula referring to a missing column', form([{ id: 's', type: 'subform', label: 'S', fields: [text('a')] }, { id: 'f', type: 'formula', label: 'F', formula: 'SUM(s.b)' }]), 'unknown_reference', 'subform "s" has no column "b"', 'f'],
  ['bare column outside its subform', form([{ id: 's', type: 'subform', label: 'S', fields: [text('a')] }, { id: 'f', type: 'formula', label: 'F', formula: 'a' }]), 'unknown_reference', 'use s.a', 'f'],
  ['formula over a divider', form([{ id: 'd', type: 'divider', label: 'D' }, { id: 'f', type: 'formula', label: 'F', formula: 'd' }]), 'unknown_reference', 'has no value', 'f'],
  ['formula default referring to a missing field', form([text('a', { formula: 'b & "x"' })]), 'unknown_reference', 'refers to unknown field "b"', 'a'],
  ['circular formulas name the cycle', form([{ id: 'a', type: 'formula', label: 'A', formula: 'b + 1' }, { id: 'b', type: 'formula', label: 'B', formula: 'c * 2' }, { id: 'c', type: 'formula', label: 'C', formula: 'a' }]), 'circular_formula', 'Circular formula: a → b → c → a', 'a'],
  ['a formula referring to itself', form([{ id: 'a', type: 'formula', label: 'A', formula: 'a + 1' }]), 'circular_formula', 'Circular formula: a → a', 'a'],
  ['circular through a subform column', form([{ id: 't', type: 'formula', label: 'T', formula: 'SUM(s.x)' }, { id: 's', type: 'subform', label: 'S', fields: [{ id: 'x', type: 'formula', label: 'X', formula: 't / 2' }] }]), 'circular_formula', 'Circular formula: t → s.x → t', 't'],
  ['linkage formula error', form([text('a', { linkage: { form: 'f2', match: [{ field: 'k', value: 'nope' }], take: 'v' } })]), 'unknown_reference', 'Data linkage of "a" refers to unknown field "nope"', 'a'],
  ['visibleWhen on an unknown field', form([text('a', { visibleWhen: { field: 'ghost', op: 'eq', value: 'x' } })]), 'unknown_reference', 'visibleWhen of field "a": Unknown field "ghost"', 'a'],
  ['requiredWhen with a bad operator', form([text('a'), text('b', { requiredWhen: { field: 'a', op: 'like', value: 'x' } })]), 'invalid_condition', 'Unknown operator "like"', 'b'],
  ['condition with an operator object as value', form([text('a'), text('b', { visibleWhen: { field: 'a', op: 'eq', value: { $ne: 1 } } })]), 'invalid_condition', 'not an object', 'b'],
  ['condition value of the wrong type', form([{ id: 'n', type: 'number', label: 'N' }, text('b', { visibleWhen: { field: 'n', op: 'gt', value: 'ten' } })]), 'invalid_condition', 'must be a number', 'b'],
  ['query filter ref to a missing field', form([{ id: 'q', type: 'query', label: 'Q', form: 'orders', filter: { field: 'customer', op: 'eq', value: { ref: 'client' } } }]), 'unknown_reference', 'unknown field "client"', 'q'],
  ['rule on an unknown field', form([text('a')], { rules: [{ when: { field: 'zzz', op: 'empty' }, show: ['a'] }] }), 'unknown_reference', 'Rule 1: Unknown field "zzz"'],
  ['rule showing an unknown field', form([text('a')], { rules: [{ when: { field: 'a', op: 'empty' }, show: ['b'] }] }), 'unknown_reference', 'Rule 1 shows unknown field "b"'],
  ['rule without when', form([text('a')], { rules: [{ show: ['a'] }] }), 'missing_property', '"when" is required'],
  ['min > max', form([{ id: 'n', type: 'number', label: 'N', min: 10, max: 1 }]), 'min_gt_max', 'min (10) is greater than max (1)', 'n'],
  ['date min > max', form([{ id: 'd', type: 'date', label: 'D', min: '2024-12-31', max: '2024-01-01' }]), 'min_gt_max', 'is greater than max', 'd'],
  ['minLength > maxLength', form([text('t', { minLength: 5, maxLength: 2 })]), 'min_gt_max', 'minLength (5) is greater than maxLength (2)', 't'],
  ['minRows > maxRows', form([{ id: 's', type: 'subform', label: 'S', minRows: 3, maxRows: 1, fields: [text('c')] }]), 'min_gt_max', 'minRows (3) is greater than maxRows (1)', 's'],
  ['a date bound on a number', form([{ id: 'n', type: 'number', label: 'N', min: '2024-01-01' }]), 'invalid_property', '"min" must be a number', 'n'],
  ['an invalid date bound', form([{ id: 'd', type: 'date', label: 'D', max: 'tomorrow' }]), 'invalid_property', '"max" must be a date', 'd'],
  ['invalid regex', form([text('t', { regex: '([a-z' })]), 'invalid_regex', 'is not a valid regular expression', 't'],
  ['default of the wrong type', form([{ id: 'n', type: 'number', label: 'N', default: 'five' }]), 'invalid_default', 'Default of field "n": "N" must be a number', 'n'],
  ['default not among the options', form([{ id: 's', type: 'select', label: 'S', options: [{ value: 'a', label: 'A' }], default: 'b' }]), 'invalid_default', 'must be one of: a', 's'],
  ['column default of the wrong type', form([{ id: 's', type: 'subform', label: 'S', fields: [{ id: 'q', type: 'number', label: 'Q', default: '1' }] }]), 'invalid_default', 'Default of column "q"', 'q'],
  ['default on a formula field', form([{ id: 'f', type: 'formula', label: 'F', formula: '1', default: 2 }]), 'invalid_default', 'takes no default', 'f'],
  ['bad phone format option', form([{ id: 'p', type: 'phone', label: 'P', format: 'fax' }]), 'invalid_property', '"format" must be one of: mobile, landline, any', 'p'],
  ['too much precision', form([{ id: 'n', type: 'number', label: 'N', precision: 20 }]), 'invalid_property', '"precision" must be <= 10', 'n'],
];

describe('definition errors', () => {
  test.each(broken)('%s', (_name, def, code, message, fieldId) => {
    const errors = errorsOf(def);
    const match = errors.find((e) => e.code === code);
    expect(match, JSON.stringify(errors)).toBeDefined();
    expect(match!.message).toContain(message);
    if (fieldId !== undefined) expect(match!.fieldId).toBe(fieldId);
  });

  test('paths point at the culprit', () => {
    expect(errorsOf(form([text('a'), { id: 'f', type: 'formula', label: 'F', formula: 'nope' }]))).toEqual([
      { path: '/fields/1/formula', fieldId: 'f', code: 'unknown_reference', message: 'Formula of field "f" refers to unknown field "nope"' },
    ]);
    expect(errorsOf(form([{ id: 's', type: 'subform', label: 'S', fields: [text('x'), { id: 'y', type: 'formula', label: 'Y', formula: 'x +' }] }]))[0]).toMatchObject({
      path: '/fields/0/fields/1/formula',
      fieldId: 'y',
      code: 'formula_syntax',
    });
  });

  test('each broken label is reported once, at its own field', () => {
    const fields = Array.from({ length: 11 }, (_, i) => text(`f${i}`));
    fields[1] = { id: 'f1', type: 'text', label: { de: 'x' } } as never;
    fields[10] = { id: 'f10', type: 'text', label: 5 } as never;
    expect(errorsOf(form(fields)).map((e) => `${e.path} ${e.code}`)).toEqual(['/fields/1/label invalid_property', '/fields/10/label invalid_property']);
  });

  test('every problem is reported at once', () => {
    const errors = errorsOf(form([text('a'), text('a'), { id: 'b', type: 'select', label: 'B' }, { id: 'c', type: 'formula', label: 'C', formula: 'zz' }, { id: 'd', type: 'widget', label: 'D' }]));
    expect(errors.map((e) => e.code).sort()).toEqual(['duplicate_id', 'missing_options', 'unknown_reference', 'unknown_type']);
  });

  test('subform column formulas use bare column ids and top-level fields; column conditions read the row', () => {
    const ok = form([
      { id: 'rate', type: 'number', label: 'Rate' },
      {
        id: 'items',
        type: 'subform',
        label: 'Items',
        fields: [
          { id: 'price', type: 'money', label: 'P' },
          { id: 'qty', type: 'number', label: 'Q' },
          { id: 'amount', type: 'formula', label: 'A', formula: 'price * qty * (1 + rate)' },
          { id: 'note', type: 'text', label: 'N', requiredWhen: { field: 'qty', op: 'gt', value: 10 } },
        ],
      },
      { id: 'total', type: 'formula', label: 'T', formula: 'SUM(items.amount) + COUNT(items)' },
    ]);
    expect(errorsOf(ok)).toEqual([]);
  });
});
