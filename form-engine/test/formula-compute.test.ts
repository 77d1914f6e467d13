import { describe, expect, test } from 'vitest';
import { applyDefaults, computeFormulas, linkageRequests, prepareRecord, type FormDefinition, type FormulaError } from '../src/index.ts';

const order = {
  id: 'order',
  version: 1,
  name: 'Order',
  fields: [
    { id: 'discount', type: 'number', label: 'Discount' },
    { id: 'taxRate', type: 'formula', label: 'Tax rate', formula: 'IF(region = "EU", 0.2, 0.1)' },
    { id: 'region', type: 'select', label: 'Region', options: [{ value: 'EU', label: 'EU' }, { value: 'CN', label: 'CN' }] },
    {
      id: 'items',
      type: 'subform',
      label: 'Items',
      fields: [
        { id: 'price', type: 'money', label: 'Price' },
        { id: 'qty', type: 'number', label: 'Qty' },
        { id: 'amount', type: 'formula', label: 'Amount', formula: 'price * qty' },
        { id: 'taxed', type: 'formula', label: 'Taxed', formula: 'amount * (1 + taxRate)', precision: 2 },
      ],
    },
    // Declared before what it aggregates: order of computation follows dependencies, not field order.
    { id: 'grand', type: 'formula', label: 'Grand total', formula: 'net + tax', precision: 2 },
    { id: 'net', type: 'formula', label: 'Net', formula: 'SUM(items.amount) * (1 - discount)' },
    { id: 'tax', type: 'formula', label: 'Tax', formula: 'net * taxRate' },
    { id: 'lines', type: 'formula', label: 'Lines', formula: 'COUNT(items) & " lines"' },
    { id: 'ratio', type: 'formula', label: 'Ratio', formula: 'net / discount' },
    { id: 'link', type: 'formula', label: 'Link', formula: '"/r/" & id' },
  ],
} as const satisfies FormDefinition;

describe('computeFormulas', () => {
  test('recomputes columns row by row, then the totals that aggregate them, in dependency order', () => {
    const data = { discount: 0.1, region: 'EU', items: [{ price: 10.5, qty: 2 }, { price: 0.1, qty: 3 }], net: 1e9, grand: -1 };
    const out = computeFormulas(order, data, { recordId: 'r9' });
    expect(out.items).toEqual([
      { price: 10.5, qty: 2, amount: 21, taxed: 25.2 },
      { price: 0.1, qty: 3, amount: 0.3, taxed: 0.36 },
    ]);
    expect(out.taxRate).toBe(0.2);
    expect(out.net).toBe(19.17);
    expect(out.tax).toBe(3.834);
    expect(out.grand).toBe(23);
    expect(out.lines).toBe('2 lines');
    expect(out.link).toBe('/r/r9');
  });

  test('does not modify its input', () => {
    const data = { items: [{ price: 1, qty: 1 }] };
    computeFormulas(order, data);
    expect(data).toEqual({ items: [{ price: 1, qty: 1 }] });
  });

  test('empty inputs count as 0, failing formulas store null and are reported', () => {
    const failures: string[] = [];
    const out = computeFormulas(order, {}, { onFormulaError: (key, error: FormulaError) => failures.push(`${key}:${error.code}`) });
    expect(out).toMatchObject({ net: 0, tax: 0, grand: 0, taxRate: 0.1, lines: '0 lines', ratio: null });
    expect(failures).toEqual(['ratio:#DIV/0!']);
  });

  test('results are rounded to 10 decimals, then to the field precision', () => {
    const f = {
      name: 'R',
      fields: [
        { id: 'a', type: 'number', label: 'A' },
        { id: 'third', type: 'formula', label: 'Third', formula: 'a / 3' },
        { id: 'money', type: 'formula', label: 'Money', formula: 'a / 3', precision: 2 },
        { id: 'sum', type: 'formula', label: 'Sum', formula: '0.1 + 0.2' },
      ],
    } as const satisfies FormDefinition;
    expect(computeFormulas(f, { a: 1 })).toMatchObject({ third: 0.3333333333, money: 0.33, sum: 0.3 });
  });

  test('a list result is not a storable value', () => {
    const f = { name: 'L', fields: [{ id: 'rows', type: 'subform', label: 'Rows', fields: [{ id: 'x', type: 'number', label: 'X' }] }, { id: 'list', type: 'formula', label: 'List', formula: 'rows.x' }] } as const satisfies FormDefinition;
    expect(computeFormulas(f, { rows: [{ x: 1 }] }).list).toBe(null);
  });

  test('hostile shapes are tolerated (validation reports them later)', () => {
    expect(computeFormulas(order, { items: 'junk', discount: 'x' })).toMatchObject({ items: 'junk', net: null });
    expect(computeFormulas(order, { items: [null, 5, { price: 2, qty: 2 }] }).items).toEqual([null, 5, { price: 2, qty: 2, amount: 4, taxed: 4.4 }]);
    expect(computeFormulas(order, null as never)).toBe(null);
  });

  test('prototype-pollution keys stay plain data', () => {
    const out = computeFormulas(order, JSON.parse('{"__proto__":{"polluted":1},"discount":0,"items":[{"__proto__":{"x":1},"price":2,"qty":3}]}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toContain('__proto__');
    expect((out.items as Record<string, unknown>[])[0].amount).toBe(6);
    expect(out.net).toBe(6);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('works on a stored form document', () => {
    expect(computeFormulas({ _id: 'order', version: 1, fields: order.fields }, { discount: 0, items: [{ price: 2, qty: 2 }] }).net).toBe(4);
  });
});

describe('applyDefaults', () => {
  const f = {
    id: 'defaults',
    version: 1,
    name: 'D',
    fields: [
      { id: 'status', type: 'select', label: 'S', default: 'open', options: [{ value: 'open', label: 'Open' }] },
      { id: 'tags', type: 'checkbox', label: 'T', default: ['a'], options: [{ value: 'a', label: 'A' }] },
      { id: 'day', type: 'date', label: 'Day', formula: 'TODAY()' },
      { id: 'due', type: 'date', label: 'Due', formula: 'DATEDELTA(day, 7)' },
      { id: 'at', type: 'datetime', label: 'At', formula: 'TODAY()' },
      { id: 'copies', type: 'number', label: 'Copies', formula: 'LEN(title) / 3', precision: 1 },
      { id: 'title', type: 'text', label: 'Title', formula: '"Order " & total' },
      { id: 'price', type: 'money', label: 'Price', linkage: { form: 'products', match: [{ field: 'name', value: 'product' }], take: 'price' } },
      { id: 'product', type: 'text', label: 'Product' },
      { id: 'total', type: 'formula', label: 'Total', formula: 'price * 2' },
      { id: 'lines', type: 'subform', label: 'Lines', fields: [{ id: 'n', type: 'number', label: 'N', default: 1 }, { id: 'sku', type: 'text', label: 'SKU' }, { id: 'cost', type: 'money', label: 'Cost', linkage: { form: 'products', match: [{ field: 'sku', value: 'sku' }], take: 'cost' } }] },
    ],
  } as const satisfies FormDefinition;
  const ctx = { now: '2024-03-01T16:30:00Z', timeZone: 'Asia/Shanghai' };

  test('fills only missing values: fixed, then formula defaults in dependency order (which may use formula fields)', () => {
    const out = applyDefaults(f, { product: 'P', price: 5, status: 'closed', lines: [{ sku: 'a' }, { n: 3 }] }, ctx);
    expect(out).toMatchObject({
      status: 'closed',
      tags: ['a'],
      day: '2024-03-02',
      due: '2024-03-09',
      at: '2024-03-01T16:00:00.000Z',
      title: 'Order 10',
      copies: 2.7,
      lines: [{ n: 1, sku: 'a' }, { n: 3 }],
    });
  });

  test('null counts as a value the user cleared; defaults are copies', () => {
    const out = applyDefaults(f, { tags: null }, ctx);
    expect(out.tags).toBe(null);
    const again = applyDefaults(f, {}, ctx);
    (again.tags as string[]).push('b');
    expect(f.fields[1].default).toEqual(['a']);
  });

  test('linkage: requests list the lookups still needed; resolved values are applied', () => {
    const data = { product: 'Widget', lines: [{ sku: 'S1' }, { sku: '' }, { sku: 'S2', cost: 1 }] };
    expect(linkageRequests(f, data, ctx)).toEqual([
      { key: 'price', fieldId: 'price', form: 'products', match: [{ field: 'name', value: 'Widget' }], take: 'price' },
      { key: 'lines.0.cost', fieldId: 'cost', subformId: 'lines', row: 0, form: 'products', match: [{ field: 'sku', value: 'S1' }], take: 'cost' },
    ]);
    expect(linkageRequests(f, { price: 3 }, ctx)).toEqual([]);
    const out = applyDefaults(f, data, { ...ctx, linked: { price: 9.9, 'lines.0.cost': 2.5 } });
    expect(out).toMatchObject({ price: 9.9, total: 19.8, lines: [{ sku: 'S1', cost: 2.5, n: 1 }, { sku: '', n: 1 }, { sku: 'S2', cost: 1, n: 1 }] });
  });
});

describe('prepareRecord', () => {
  test('strips client copies of computed values, normalizes, applies defaults on create and computes', () => {
    const out = prepareRecord(order, { discount: 0, items: [{ price: 1, qty: 1, amount: 999 }], net: 12345 }, { mode: 'create' });
    expect(out).toMatchObject({ net: 1, items: [{ price: 1, qty: 1, amount: 1 }] });
  });
});
