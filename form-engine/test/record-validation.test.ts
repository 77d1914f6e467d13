import { describe, expect, test } from 'vitest';
import { buildRecordSchema, recordValidator, stripComputed, normalizeRecord, validateRecord, type FormDefinition, type ValidationError } from '../src/index.ts';
import { everyTypeForm, validRecord } from './fixtures.ts';

const form = everyTypeForm;

function errorsFor(patch: Record<string, unknown>, mode: 'create' | 'patch' = 'patch'): ValidationError[] {
  const data = mode === 'create' ? { ...validRecord(), ...patch } : patch;
  return validateRecord(form, data, { mode }).errors;
}

function codesOf(errors: ValidationError[]) {
  return errors.map((e) => `${e.field}${e.row !== undefined ? `[${e.row}]` : ''}${e.column ? `.${e.column}` : ''}:${e.code}`);
}

describe('a valid record', () => {
  test('passes in create mode and in patch mode', () => {
    expect(validateRecord(form, validRecord()).errors).toEqual([]);
    expect(validateRecord(form, validRecord(), { mode: 'patch' }).errors).toEqual([]);
  });

  test('empty values of optional fields are accepted (null, "" and [])', () => {
    expect(errorsFor({ notes: '', qty: null, due: '', level: null, tags: [], photos: [], addr: null, sign: '', customer: '' })).toEqual([]);
  });
});

// [field, valid values, invalid values with the expected code]
const cases: [string, unknown[], [unknown, string][]][] = [
  ['title', ['ab', '标题很长但是不超过二十个字'], [[5, 'type'], ['a', 'minLength'], ['x'.repeat(21), 'maxLength']]],
  ['code', ['ABC-1', 'XYZ-999'], [['abc-1', 'pattern'], ['ABC1', 'pattern']]],
  ['notes', ['x'.repeat(100_000)], [['x'.repeat(100_001), 'maxLength'], [{}, 'type']]],
  ['qty', [0, 100, 42], [[-1, 'min'], [101, 'max'], [1.5, 'precision'], ['5', 'type']]],
  ['rate', [0.15, 3, -2.5], [[0.155, 'precision'], [true, 'type']]],
  ['price', [0.1, 1999.99, 0.3], [[1.005, 'precision'], ['1.00', 'type']]],
  ['due', ['2024-01-01', '2024-02-29', '2024-12-31'], [['2023-12-31', 'min'], ['2025-01-01', 'max'], ['2024-02-30', 'format'], ['2024/01/05', 'format'], ['2024-1-5', 'format']]],
  ['at', ['2024-05-01T09:30:00Z', '2024-05-01T09:30:00.123+08:00', '2024-05-01T09:30+0800'], [['2024-05-01 09:30:00', 'format'], ['2024-05-01T09:30:00', 'format'], ['2024-05-01T25:00:00Z', 'format'], [1714555800000, 'type']]],
  ['level', ['low', 'high'], [['medium', 'option'], [['low'], 'type']]],
  ['tags', [['a'], ['a', 'b']], [[['a', 'b', 'c'], 'max'], [['z'], 'option'], [['a', 'a'], 'duplicate_item'], ['a', 'type']]],
  ['status', ['open', 'closed'], [['OPEN', 'option']]],
  ['colors', [['red', 'blue']], [[['green'], 'option'], [[1], 'type']]],
  ['owner', ['u-1'], [[['u1'], 'type'], [42, 'type']]],
  ['watchers', [['u1'], ['u1', 'u2', 'u3']], [[['u1', 'u2', 'u3', 'u4'], 'max'], ['u1', 'type'], [[''], 'minLength']]],
  ['dept', ['d1'], [[{}, 'type']]],
  ['depts', [['d1', 'd2']], [[['d1', 'd1'], 'duplicate_item']]],
  ['mobile', ['13800000001', '19912345678', '+8613800000001'], [['12800000001', 'format'], ['1380000000', 'format'], ['010-12345678', 'format']]],
  ['landline', ['010-12345678', '0755-1234567', '0755-1234567-801', '02112345678'], [['13800000001', 'format'], ['10-1234567', 'format']]],
  ['phone', ['13800000001', '010-12345678', '+14155552671', '+44 20 7946 0958'], [['12345', 'format'], ['+1', 'format'], ['phone', 'format'], ['+1234567890123456', 'format']]],
  ['email', ['a@b.co', 'first.last+tag@sub.example.com'], [['a@b', 'format'], ['not an email', 'format'], ['a@@b.com', 'format']]],
  ['addr', [{ province: '北京市' }, { province: 'A', city: 'B', district: 'C', detail: 'D' }], [[{ street: 'x' }, 'unknown_field'], ['北京', 'type'], [{ detail: 'x'.repeat(501) }, 'maxLength']]],
  ['loc', [{ lng: 0, lat: 0 }, { lng: -180, lat: 90, address: 'Pole' }], [[{ lng: 181, lat: 0 }, 'max'], [{ lat: 1 }, 'required'], [{ lng: 1, lat: 1, x: 1 }, 'unknown_field']]],
  ['photos', [[{ id: 'f', name: 'p.jpg', type: 'image/jpeg' }], [{ url: '/files/1', name: 'x.png' }, { url: 'http://h/x.png', name: 'y.png' }]], [[[{ name: 'x.png' }], 'format'], [[{ id: 'f', name: 'x.pdf', type: 'application/pdf' }], 'format'], [[{ id: 'a', name: 'a' }, { id: 'b', name: 'b' }, { id: 'c', name: 'c' }], 'max'], [[{ url: 'javascript:alert(1)', name: 'x' }], 'format'], [[{ id: 'f' }], 'required']]],
  ['files', [[{ id: 'f', name: 'a.pdf', size: 10, type: 'application/pdf' }]], [[[{ id: 'a', name: 'a' }, { id: 'b', name: 'b' }], 'max'], [[{ id: 'a', name: 'a', size: -1 }], 'min']]],
  ['sign', ['data:image/png;base64,AAAA', { id: 'sig1', name: 'sig.png' }], [['data:text/html;base64,AAAA', 'format'], ['hello', 'format'], [{ name: 'x' }, 'format'], [5, 'type']]],
  ['customer', ['01HXYZ', 'rec_1-2'], [['has space', 'format'], [['a'], 'type'], [{ $gt: '' }, 'type']]],
];

const short = (value: unknown) => (JSON.stringify(value) ?? String(value)).slice(0, 50);

describe.each(cases)('field %s', (fieldId, valid, invalid) => {
  test.each(valid.map((v) => [short(v), v]))('accepts %s', (_name, value) => {
    expect(errorsFor({ [fieldId]: value })).toEqual([]);
  });
  test.each(invalid.map(([v, code]) => [short(v), code, v] as const))('rejects %s with %s', (_name, code, value) => {
    const errors = errorsFor({ [fieldId]: value });
    expect(errors.map((e) => e.code)).toContain(code);
    expect(errors.every((e) => e.field === fieldId)).toBe(true);
    expect(errors[0].message).toMatch(/^"/);
  });
});

describe('subform rows', () => {
  test('errors carry the 0-based row and the column', () => {
    const errors = errorsFor({ items: [{ product: 'ok', count: 2 }, { count: 0, unit: 'box' }, 'junk'] });
    expect(codesOf(errors).sort()).toEqual(['items[1].count:min', 'items[1].product:required', 'items[1].unit:option', 'items[2]:type'].sort());
    const missing = errors.find((e) => e.code === 'required')!;
    expect(missing).toMatchObject({ field: 'items', row: 1, column: 'product' });
    expect(missing.message).toBe('"Items" row 2: "Product" is required');
  });

  test('minRows and maxRows', () => {
    expect(codesOf(errorsFor({ items: [{ product: 'a' }, { product: 'b' }, { product: 'c' }, { product: 'd' }] }))).toEqual(['items:maxRows']);
    const oneRowMin = { ...form, version: 'min2', fields: form.fields.map((f) => (f.id === 'items' ? { ...f, minRows: 2 } : f)) } as FormDefinition;
    expect(codesOf(validateRecord(oneRowMin, { items: [{ product: 'a' }] }, { mode: 'patch' }).errors)).toEqual(['items:minRows']);
  });

  test('unknown columns are refused, computed columns and a row id are accepted', () => {
    expect(codesOf(errorsFor({ items: [{ product: 'a', colour: 'red' }] }))).toEqual(['items[0].colour:unknown_field']);
    expect(errorsFor({ items: [{ id: 'row1', product: 'a', amount: 5 }] })).toEqual([]);
  });
});

describe('required and modes', () => {
  test('create mode lists every missing required field; patch mode only checks present fields', () => {
    const { title: _title, ...withoutTitle } = validRecord();
    expect(codesOf(validateRecord(form, withoutTitle).errors)).toEqual(['title:required']);
    expect(validateRecord(form, { qty: 3 }, { mode: 'patch' }).errors).toEqual([]);
    expect(codesOf(validateRecord(form, { title: '' }, { mode: 'patch' }).errors)).toEqual(['title:required']);
    expect(codesOf(validateRecord(form, { title: null }, { mode: 'patch' }).errors)).toEqual(['title:required']);
  });

  test('empty arrays and empty objects do not satisfy required', () => {
    const f = {
      id: 'req',
      version: 1,
      name: 'R',
      fields: [
        { id: 'tags', type: 'multiselect', label: 'Tags', required: true, options: [{ value: 'a', label: 'A' }] },
        { id: 'addr', type: 'address', label: 'Address', required: true },
      ],
    } as const satisfies FormDefinition;
    expect(codesOf(validateRecord(f, { tags: [], addr: { province: '' } }).errors)).toEqual(['tags:required', 'addr:required']);
  });

  test('every problem is listed at once', () => {
    const errors = validateRecord(form, { qty: -5, email: 'x', level: 'none', bogus: 1 }).errors;
    expect(codesOf(errors).sort()).toEqual(['bogus:unknown_field', 'email:format', 'level:option', 'qty:min', 'title:required'].sort());
  });
});

describe('hostile input', () => {
  test('unknown keys, including prototype-pollution keys from JSON, are refused without side effects', () => {
    const data = JSON.parse('{"title":"ok","__proto__":{"polluted":true},"constructor":{"x":1},"$where":"1"}');
    const errors = validateRecord(form, data, { mode: 'patch' }).errors;
    expect(codesOf(errors).sort()).toEqual(['$where:unknown_field', '__proto__:unknown_field', 'constructor:unknown_field']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('data that is not an object is one clear error', () => {
    for (const data of [null, [], 'x', 5]) {
      expect(validateRecord(form, data).errors).toEqual([{ field: '', message: 'Record data must be an object', code: 'type' }]);
    }
  });

  test('huge strings and deep nesting are refused by the limits', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 500; i++) deep = { a: deep };
    expect(codesOf(errorsFor({ title: 'x'.repeat(1_000_000), addr: deep }))).toEqual(['title:maxLength', 'addr:unknown_field']);
  });
});

describe('computed fields', () => {
  test('stripComputed removes formula, serial, query and layout values at the top and in rows, keeping unknown keys', () => {
    const data = { ...validRecord(), total: 1e9, no: 'QT-X', orders: [1], line: 'x', about: 'y', bogus: 1, items: [{ product: 'a', amount: 1e9 }] };
    const stripped = stripComputed(form, data);
    expect(stripped).not.toHaveProperty('total');
    expect(stripped).not.toHaveProperty('no');
    expect(stripped).not.toHaveProperty('orders');
    expect(stripped).not.toHaveProperty('line');
    expect(stripped).not.toHaveProperty('about');
    expect(stripped.bogus).toBe(1);
    expect(stripped.items).toEqual([{ product: 'a' }]);
    expect(data.total).toBe(1e9);
  });

  test('stripComputed keeps hostile keys as plain data', () => {
    const out = stripComputed(form, JSON.parse('{"__proto__":{"x":1}}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
  });

  test('values for fields that hold no data are refused by name', () => {
    expect(validateRecord(form, { orders: [] }, { mode: 'patch' }).errors).toEqual([
      { field: 'orders', code: 'unknown_field', message: '"Orders" holds no data and cannot be written' },
    ]);
  });

  test('after computing, formula and serial values validate', () => {
    expect(validateRecord(form, { ...validRecord(), total: 10, no: 'QT-20240501-0001' }).errors).toEqual([]);
  });

  test('normalizeRecord canonicalizes date-times to UTC, at the top and in rows', () => {
    const f = {
      id: 'dt',
      name: 'D',
      fields: [
        { id: 'at', type: 'datetime', label: 'At' },
        { id: 'rows', type: 'subform', label: 'Rows', fields: [{ id: 'when', type: 'datetime', label: 'When' }] },
      ],
    } as const satisfies FormDefinition;
    expect(normalizeRecord(f, { at: '2024-05-01T09:30+08:00', rows: [{ when: '2024-05-01T00:00:00-02:00' }, 'junk'] })).toEqual({
      at: '2024-05-01T01:30:00.000Z',
      rows: [{ when: '2024-05-01T02:00:00.000Z' }, 'junk'],
    });
    expect(normalizeRecord(f, { at: 'not a date' })).toEqual({ at: 'not a date' });
  });
});

describe('record schema', () => {
  test('create mode has required and refuses unknown keys; patch mode has no required', () => {
    const create = buildRecordSchema(form, { mode: 'create' });
    const patch = buildRecordSchema(form, { mode: 'patch' });
    expect(create.required).toEqual(['title']);
    expect(patch.required).toBeUndefined();
    expect(create.additionalProperties).toBe(false);
    const properties = create.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties)).not.toContain('orders');
    expect(Object.keys(properties)).not.toContain('line');
    expect(properties.total.readOnly).toBe(true);
    expect(properties.price['x-precision']).toBe(2);
    expect(properties.qty).toMatchObject({ minimum: 0, maximum: 100, 'x-precision': 0 });
  });

  test('text gets a default length cap', () => {
    const properties = buildRecordSchema(form).properties as Record<string, Record<string, unknown>>;
    expect(properties.notes.maxLength).toBe(100_000);
    const f = { name: 'T', fields: [{ id: 't', type: 'text', label: 'T' }] } as const satisfies FormDefinition;
    expect((buildRecordSchema(f).properties as Record<string, Record<string, unknown>>).t.maxLength).toBe(10_000);
  });

  test('validators are compiled once per form version and mode, and recompiled when an unversioned edit changes fields', () => {
    const a = recordValidator(form, 'create');
    expect(recordValidator({ ...form }, 'create')).toBe(a);
    expect(recordValidator(form, 'patch')).not.toBe(a);
    const edited = { ...form, fields: form.fields.map((f) => (f.id === 'qty' ? { ...f, max: 5 } : f)) } as FormDefinition;
    expect(recordValidator(edited, 'create')).not.toBe(a);
    expect(codesOf(validateRecord(edited, { qty: 6 }, { mode: 'patch' }).errors)).toEqual(['qty:max']);
    expect(validateRecord(form, { qty: 6 }, { mode: 'patch' }).errors).toEqual([]);
  });

  test('a stored form document with _id is accepted', () => {
    const doc = { _id: 'f1', version: 3, appId: 'a', fields: form.fields };
    expect(validateRecord(doc, validRecord()).errors).toEqual([]);
  });
});

describe('messages', () => {
  test('quote the label in the requested language', () => {
    expect(validateRecord(form, { title: 5 }, { mode: 'patch' }).errors[0].message).toBe('"Title" must be text');
    expect(validateRecord(form, { title: 5 }, { mode: 'patch', lang: 'zh-CN' }).errors[0].message).toBe('"标题" must be text');
    expect(validateRecord(form, { status: 'x' }, { mode: 'patch' }).errors[0].message).toBe('"Status" must be one of: open, closed');
    expect(validateRecord(form, { qty: 1.5 }, { mode: 'patch' }).errors[0].message).toBe('"Qty" must be a whole number');
    expect(validateRecord(form, { due: '2023-01-01' }, { mode: 'patch' }).errors[0].message).toBe('"Due" must be on or after 2024-01-01');
    expect(validateRecord(form, { customer: 'a b' }, { mode: 'patch' }).errors[0].message).toBe('"Customer" must be a record id');
    expect(validateRecord(form, { photos: [{ id: 'f', name: 'x', type: 'text/html' }] }, { mode: 'patch' }).errors[0].message).toBe('"Photos" has an invalid type');
    expect(validateRecord(form, { loc: { lat: 1 } }, { mode: 'patch' }).errors[0].message).toBe('"Location" needs "lng"');
    expect(validateRecord(form, { items: [{ product: 'a' }, 7] }, { mode: 'patch' }).errors[0].message).toBe('"Items" row 2 must be a row object');
  });
});
