import { Query } from 'mingo';
import { describe, expect, test } from 'vitest';
import {
  compileConditionToMongo,
  compileSort,
  conditionFields,
  checkCondition,
  ConditionError,
  matchCondition,
  type Condition,
  type FormDefinition,
} from '../src/index.ts';

const form = {
  id: 'deals',
  version: 1,
  name: 'Deals',
  fields: [
    { id: 'name', type: 'text', label: 'Name' },
    { id: 'amount', type: 'money', label: 'Amount' },
    { id: 'stage', type: 'select', label: 'Stage', options: [{ value: 'lead', label: 'Lead' }, { value: 'won', label: 'Won' }, { value: 'lost', label: 'Lost' }] },
    { id: 'tags', type: 'checkbox', label: 'Tags', options: [{ value: 'vip', label: 'VIP' }, { value: 'new', label: 'New' }, { value: 'old', label: 'Old' }] },
    { id: 'owner', type: 'member', label: 'Owner' },
    { id: 'team', type: 'members', label: 'Team' },
    { id: 'dept', type: 'department', label: 'Dept' },
    { id: 'close', type: 'date', label: 'Close date' },
    { id: 'met', type: 'datetime', label: 'Met at' },
    { id: 'addr', type: 'address', label: 'Address' },
    { id: 'files', type: 'attachment', label: 'Files' },
    { id: 'customer', type: 'relation', label: 'Customer', form: 'customers' },
    { id: 'score', type: 'formula', label: 'Score', formula: 'amount / 100' },
    { id: 'lines', type: 'subform', label: 'Lines', fields: [{ id: 'product', type: 'text', label: 'Product' }, { id: 'qty', type: 'number', label: 'Qty' }] },
    { id: 'history', type: 'query', label: 'History', form: 'deals' },
    { id: 'line', type: 'divider', label: '—' },
  ],
} as const satisfies FormDefinition;

const ctx = { userId: 'u1', departmentIds: ['d1', 'd2'], now: '2024-05-01T03:00:00Z', timeZone: 'Asia/Shanghai' };

/** Records as stored: system fields at the top, form data under `data`. */
const records = [
  { _id: 'r1', createdAt: '2024-05-01T01:00:00.000Z', createdBy: 'u1', data: { name: 'Acme Corp', amount: 500, stage: 'won', tags: ['vip', 'new'], owner: 'u1', team: ['u1', 'u2'], dept: 'd1', close: '2024-05-01', met: '2024-04-30T17:00:00.000Z', addr: { province: '浙江省', city: '杭州市' }, files: [{ id: 'f', name: 'a' }], customer: 'c1', score: 5, lines: [{ product: 'Widget', qty: 2 }, { product: 'Gadget', qty: 10 }] } },
  { _id: 'r2', createdAt: '2024-04-29T10:00:00.000Z', createdBy: 'u2', data: { name: 'beta ltd', amount: 1500, stage: 'lead', tags: ['old'], owner: 'u2', team: [], dept: 'd3', close: '2024-06-30', met: '2024-05-01T16:30:00.000Z', addr: {}, files: [], score: 15, lines: [{ product: 'widget', qty: 5 }] } },
  { _id: 'r3', createdAt: '2024-04-30T16:00:00.000Z', createdBy: 'u1', data: { name: '', amount: 0, stage: 'lost', score: 'n/a', lines: [] } },
  { _id: 'r4', createdAt: '2024-05-02T00:00:00.000Z', createdBy: 'u3', data: { name: 'Gamma (Ltd.)', stage: null, tags: [], customer: '', lines: [{ qty: 1 }] } },
  { _id: 'r5', createdAt: '2024-05-01T15:59:59.999Z', createdBy: 'u2', data: {} },
];

/** What matchCondition sees: the data plus the system fields under their public names. */
const asData = (r: (typeof records)[number]) => ({ ...r.data, id: r._id, createdAt: r.createdAt, createdBy: r.createdBy });

function viaStore(cond: Condition): string[] {
  const query = new Query(compileConditionToMongo(cond, form, ctx));
  return records.filter((r) => query.test(r)).map((r) => r._id);
}

function inMemory(cond: Condition): string[] {
  return records.filter((r) => matchCondition(cond, asData(r), { ...ctx, form })).map((r) => r._id);
}

const cases: [string, Condition, string[]][] = [
  ['eq text', { field: 'stage', op: 'eq', value: 'won' }, ['r1']],
  ['ne text (missing and null count as not equal)', { field: 'stage', op: 'ne', value: 'won' }, ['r2', 'r3', 'r4', 'r5']],
  ['gt number', { field: 'amount', op: 'gt', value: 500 }, ['r2']],
  ['gte number', { field: 'amount', op: 'gte', value: 500 }, ['r1', 'r2']],
  ['lt number (missing compares false)', { field: 'amount', op: 'lt', value: 500 }, ['r3']],
  ['lte number', { field: 'amount', op: 'lte', value: 500 }, ['r1', 'r3']],
  ['in', { field: 'stage', op: 'in', value: ['won', 'lost'] }, ['r1', 'r3']],
  ['nin', { field: 'stage', op: 'nin', value: ['won', 'lost'] }, ['r2', 'r4', 'r5']],
  ['contains is case-insensitive and literal', { field: 'name', op: 'contains', value: 'LTD' }, ['r2', 'r4']],
  ['contains with regex characters', { field: 'name', op: 'contains', value: '(Ltd.)' }, ['r4']],
  ['startsWith is case-sensitive', { field: 'name', op: 'startsWith', value: 'Ac' }, ['r1']],
  ['empty: missing, null, "" or []', { field: 'name', op: 'empty' }, ['r3', 'r5']],
  ['empty on a list field', { field: 'tags', op: 'empty' }, ['r3', 'r4', 'r5']],
  ['empty on an object field', { field: 'addr', op: 'empty' }, ['r2', 'r3', 'r4', 'r5']],
  ['empty on files', { field: 'files', op: 'empty' }, ['r2', 'r3', 'r4', 'r5']],
  ['notEmpty', { field: 'stage', op: 'notEmpty' }, ['r1', 'r2', 'r3']],
  ['notEmpty relation ("" is empty)', { field: 'customer', op: 'notEmpty' }, ['r1']],
  ['between numbers, inclusive', { field: 'amount', op: 'between', value: [0, 500] }, ['r1', 'r3']],
  ['between with an open end', { field: 'amount', op: 'between', value: [600, null] }, ['r2']],
  ['between dates', { field: 'close', op: 'between', value: ['2024-05-01', '2024-05-31'] }, ['r1']],
  ['list field eq = contains the element', { field: 'tags', op: 'eq', value: 'vip' }, ['r1']],
  ['list field ne = does not contain', { field: 'tags', op: 'ne', value: 'vip' }, ['r2', 'r3', 'r4', 'r5']],
  ['list field in = any of', { field: 'tags', op: 'in', value: ['old', 'new'] }, ['r1', 'r2']],
  ['list field nin = none of', { field: 'tags', op: 'nin', value: ['old', 'new'] }, ['r3', 'r4', 'r5']],
  ['list field contains several = all of', { field: 'tags', op: 'contains', value: ['vip', 'new'] }, ['r1']],
  ['list field contains one', { field: 'tags', op: 'contains', value: 'old' }, ['r2']],
  ['currentUser', { field: 'owner', op: 'eq', value: { dynamic: 'currentUser' } }, ['r1']],
  ['currentUser in a members field', { field: 'team', op: 'contains', value: { dynamic: 'currentUser' } }, ['r1']],
  ['currentUser on createdBy', { field: 'createdBy', op: 'ne', value: { dynamic: 'currentUser' } }, ['r2', 'r4', 'r5']],
  ['currentDepartment (any of mine)', { field: 'dept', op: 'eq', value: { dynamic: 'currentDepartment' } }, ['r1']],
  ['not in currentDepartment', { field: 'dept', op: 'nin', value: { dynamic: 'currentDepartment' } }, ['r2', 'r3', 'r4', 'r5']],
  ['today on a date (Shanghai: 2024-05-01)', { field: 'close', op: 'eq', value: { dynamic: 'today' } }, ['r1']],
  ['after today on a date', { field: 'close', op: 'gt', value: { dynamic: 'today' } }, ['r2']],
  ['today on a date-time is that whole day in the zone', { field: 'createdAt', op: 'eq', value: { dynamic: 'today' } }, ['r1', 'r3', 'r5']],
  ['before today on a date-time', { field: 'createdAt', op: 'lt', value: { dynamic: 'today' } }, ['r2']],
  ['on or before today on a date-time', { field: 'createdAt', op: 'lte', value: { dynamic: 'today' } }, ['r1', 'r2', 'r3', 'r5']],
  ['after today on a date-time', { field: 'createdAt', op: 'gt', value: { dynamic: 'today' } }, ['r4']],
  ['a literal date on a date-time field means that day', { field: 'met', op: 'eq', value: '2024-05-01' }, ['r1']],
  ['between days on a date-time field', { field: 'met', op: 'between', value: ['2024-05-01', '2024-05-02'] }, ['r1', 'r2']],
  ['now on a date-time', { field: 'createdAt', op: 'lte', value: { dynamic: 'now' } }, ['r1', 'r2', 'r3']],
  ['an instant literal', { field: 'createdAt', op: 'gte', value: '2024-05-01T09:00:00+08:00' }, ['r1', 'r4', 'r5']],
  ['system id', { field: 'id', op: 'in', value: ['r2', 'r9'] }, ['r2']],
  ['address part', { field: 'addr.city', op: 'eq', value: '杭州市' }, ['r1']],
  ['subform column: any row matches', { field: 'lines.product', op: 'eq', value: 'Widget' }, ['r1']],
  ['subform column contains', { field: 'lines.product', op: 'contains', value: 'widget' }, ['r1', 'r2']],
  ['subform column range holds within one row', { field: 'lines.qty', op: 'between', value: [3, 6] }, ['r2']],
  ['subform column ne: no row equals', { field: 'lines.product', op: 'ne', value: 'Widget' }, ['r2', 'r3', 'r4', 'r5']],
  ['subform column empty: some row lacks it', { field: 'lines.product', op: 'empty' }, ['r4']],
  ['formula field compares by value type', { field: 'score', op: 'gte', value: 10 }, ['r2']],
  ['formula field text', { field: 'score', op: 'eq', value: 'n/a' }, ['r3']],
  ['and', { and: [{ field: 'amount', op: 'gte', value: 0 }, { field: 'createdBy', op: 'eq', value: 'u1' }] }, ['r1', 'r3']],
  ['or', { or: [{ field: 'stage', op: 'eq', value: 'won' }, { field: 'amount', op: 'gt', value: 1000 }] }, ['r1', 'r2']],
  ['nested groups', { or: [{ and: [{ field: 'stage', op: 'eq', value: 'lead' }, { field: 'tags', op: 'eq', value: 'old' }] }, { field: 'name', op: 'empty' }] }, ['r2', 'r3', 'r5']],
  ['empty and matches everything', { and: [] }, ['r1', 'r2', 'r3', 'r4', 'r5']],
  ['empty or matches nothing', { or: [] }, []],
];

describe('each operator gives the same answer in the store (mingo) and in memory', () => {
  test.each(cases)('%s', (_name, cond, expected) => {
    expect(viaStore(cond)).toEqual(expected);
    expect(inMemory(cond)).toEqual(expected);
  });
});

describe('compiled filters', () => {
  test('field paths get the prefix; system fields map to their columns', () => {
    expect(compileConditionToMongo({ and: [{ field: 'amount', op: 'gt', value: 1 }, { field: 'id', op: 'eq', value: 'x' }, { field: 'updatedAt', op: 'lt', value: '2024-01-01T00:00:00Z' }] }, form, ctx)).toEqual({
      $and: [{ 'data.amount': { $gt: 1 } }, { _id: 'x' }, { updatedAt: { $lt: '2024-01-01T00:00:00.000Z' } }],
    });
    expect(compileConditionToMongo({ field: 'amount', op: 'eq', value: 1 }, form, ctx, { pathPrefix: 'd.' })).toEqual({ 'd.amount': 1 });
  });

  test('contains and startsWith use escaped text', () => {
    expect(compileConditionToMongo({ field: 'name', op: 'contains', value: '.*' }, form)).toEqual({ 'data.name': { $regex: '\\.\\*', $options: 'i' } });
    expect(compileConditionToMongo({ field: 'name', op: 'startsWith', value: '^a|b$' }, form)).toEqual({ 'data.name': { $regex: '^\\^a\\|b\\$', $options: '' } });
  });

  test('dynamic values without a context value match nothing (and their negation everything)', () => {
    expect(compileConditionToMongo({ field: 'owner', op: 'eq', value: { dynamic: 'currentUser' } }, form, {})).toEqual({ _id: { $in: [] } });
    expect(compileConditionToMongo({ field: 'owner', op: 'ne', value: { dynamic: 'currentUser' } }, form, {})).toEqual({});
    expect(matchCondition({ field: 'owner', op: 'eq', value: { dynamic: 'currentUser' } }, { owner: 'u1' }, { form })).toBe(false);
  });

  test('ref values read the current record (a related query: customer = this record’s customer)', () => {
    const cond: Condition = { field: 'customer', op: 'eq', value: { ref: 'client' } };
    expect(compileConditionToMongo(cond, form, { record: { client: 'c1' } })).toEqual({ 'data.customer': 'c1' });
    expect(compileConditionToMongo(cond, form, { record: {} })).toEqual({ _id: { $in: [] } });
    expect(matchCondition({ field: 'amount', op: 'gte', value: { ref: 'floor' } }, { amount: 5, floor: 3 }, { form })).toBe(true);
  });
});

describe('injection attempts are refused with a typed error', () => {
  const refused: [string, unknown, string][] = [
    ['operator object as a value', { field: 'name', op: 'eq', value: { $gt: '' } }, 'invalid_value'],
    ['operator object inside a list', { field: 'stage', op: 'in', value: [{ $ne: null }] }, 'invalid_value'],
    ['$where as an operator', { field: 'name', op: '$where', value: '1' }, 'invalid_op'],
    ['unknown field', { field: 'password', op: 'eq', value: 'x' }, 'unknown_field'],
    ['operator as a field', { field: '$where', op: 'eq', value: 'x' }, 'invalid_condition'],
    ['dotted path into a text field', { field: 'name.length', op: 'eq', value: 1 }, 'unknown_field'],
    ['prototype key as a field', { field: '__proto__', op: 'eq', value: 'x' }, 'unknown_field'],
    ['constructor as a field', { field: 'constructor', op: 'eq', value: 'x' }, 'unknown_field'],
    ['extra keys next to a clause', { field: 'name', op: 'eq', value: 'x', $where: 'sleep(1)' }, 'invalid_condition'],
    ['a raw Mongo document', { $or: [{ 'data.name': 'x' }] }, 'invalid_condition'],
    ['group that is not a list', { and: { field: 'name', op: 'eq', value: 'x' } }, 'invalid_condition'],
    ['not an object', 'name = 1', 'invalid_condition'],
    ['wrong type for a number field', { field: 'amount', op: 'gt', value: '100' }, 'invalid_value'],
    ['wrong type for a text field', { field: 'name', op: 'eq', value: 5 }, 'invalid_value'],
    ['invalid date', { field: 'close', op: 'eq', value: '2024-02-30' }, 'invalid_value'],
    ['null instead of op empty', { field: 'name', op: 'eq', value: null }, 'invalid_value'],
    ['range op on a list field', { field: 'tags', op: 'gt', value: 'a' }, 'invalid_op'],
    ['text search on an id field', { field: 'owner', op: 'contains', value: 'u' }, 'invalid_op'],
    ['comparison on an object field', { field: 'addr', op: 'eq', value: 'x' }, 'invalid_op'],
    ['between with one bound', { field: 'amount', op: 'between', value: [1] }, 'invalid_value'],
    ['between without bounds', { field: 'amount', op: 'between', value: [null, null] }, 'invalid_value'],
    ['dynamic value of the wrong kind', { field: 'amount', op: 'eq', value: { dynamic: 'currentUser' } }, 'invalid_value'],
    ['unknown dynamic value', { field: 'owner', op: 'eq', value: { dynamic: 'admin' } }, 'invalid_value'],
    ['a query field', { field: 'history', op: 'empty' }, 'invalid_field'],
    ['a divider', { field: 'line', op: 'empty' }, 'invalid_field'],
    ['unknown subform column', { field: 'lines.price', op: 'eq', value: 1 }, 'unknown_field'],
    ['too long a text', { field: 'name', op: 'eq', value: 'x'.repeat(1001) }, 'invalid_value'],
    ['too long a list', { field: 'stage', op: 'in', value: Array.from({ length: 1001 }, (_, i) => `v${i}`) }, 'invalid_value'],
  ];

  test.each(refused)('%s', (_name, cond, code) => {
    let error: unknown;
    try {
      compileConditionToMongo(cond, form, ctx);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConditionError);
    expect((error as ConditionError).code).toBe(code);
    expect(() => matchCondition(cond, {}, { ...ctx, form })).toThrow(ConditionError);
  });

  test('the error names the field and where it is', () => {
    try {
      compileConditionToMongo({ and: [{ field: 'name', op: 'eq', value: 'a' }, { or: [{ field: 'amount', op: 'eq', value: { $gt: 0 } }] }] }, form, ctx);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ field: 'amount', code: 'invalid_value', path: 'and.1.or.0' });
    }
  });

  test('nesting depth and clause count are bounded', () => {
    let deep: Condition = { field: 'name', op: 'empty' };
    for (let i = 0; i < 4; i++) deep = { and: [deep] };
    expect(() => compileConditionToMongo(deep, form)).toThrow(expect.objectContaining({ code: 'too_deep' }));
    const many = { or: Array.from({ length: 100 }, () => ({ and: [{ field: 'name', op: 'empty' }, { field: 'name', op: 'empty' }, { field: 'name', op: 'empty' }] })) };
    expect(() => compileConditionToMongo(many, form)).toThrow(expect.objectContaining({ code: 'too_many_clauses' }));
  });

  test('string values that look like operators are just text', () => {
    expect(compileConditionToMongo({ field: 'name', op: 'eq', value: '$where' }, form)).toEqual({ 'data.name': '$where' });
  });
});

describe('matchCondition without a form', () => {
  test('compares by the runtime type of values; a missing value compares false', () => {
    expect(matchCondition({ field: 'x', op: 'gt', value: 1 }, { x: 2 })).toBe(true);
    expect(matchCondition({ field: 'x', op: 'gt', value: 1 }, { x: '2' })).toBe(false);
    expect(matchCondition({ field: 'x', op: 'gt', value: 1 }, {})).toBe(false);
    expect(matchCondition({ field: 'x', op: 'lt', value: 1 }, { x: null })).toBe(false);
    expect(matchCondition({ field: 'x', op: 'eq', value: 'a' }, { x: ['a', 'b'] })).toBe(true);
    expect(matchCondition({ field: 'x', op: 'ne', value: 'a' }, {})).toBe(true);
    expect(matchCondition({ field: 'rows.v', op: 'eq', value: 2 }, { rows: [{ v: 1 }, { v: 2 }] })).toBe(true);
    expect(matchCondition({ field: 'rows.v', op: 'eq', value: 3 }, { rows: [{ v: 1 }, { v: 2 }] })).toBe(false);
    expect(matchCondition({ field: 'a.b', op: 'eq', value: 1 }, { a: { b: 1 } })).toBe(true);
    expect(matchCondition({ field: 'x', op: 'eq', value: { dynamic: 'today' } }, { x: '2024-05-01' }, ctx)).toBe(true);
    expect(matchCondition({ field: 'toString', op: 'empty' }, {})).toBe(true);
  });
});

test('conditionFields lists fields and ref sources once', () => {
  expect(conditionFields({ and: [{ field: 'a', op: 'eq', value: 1 }, { or: [{ field: 'b.c', op: 'empty' }, { field: 'a', op: 'eq', value: { ref: 'z' } }] }] })).toEqual(['a', 'b.c', 'z']);
  expect(conditionFields('junk')).toEqual([]);
});

test('compileSort maps ids to paths and refuses unsortable fields', () => {
  expect(compileSort('-amount, name,createdAt,+id', form)).toEqual({ 'data.amount': -1, 'data.name': 1, createdAt: 1, _id: 1 });
  expect(compileSort('addr.city', form)).toEqual({ 'data.addr.city': 1 });
  expect(() => compileSort('password', form)).toThrow(ConditionError);
  expect(() => compileSort('lines', form)).toThrow(ConditionError);
  expect(() => compileSort('lines.qty', form)).toThrow(ConditionError);
});

test('checkCondition reports problems at save time without needing a context', () => {
  expect(checkCondition({ field: 'owner', op: 'eq', value: { dynamic: 'currentUser' } }, form)).toEqual([]);
  expect(checkCondition({ field: 'ghost', op: 'eq', value: 1 }, form)[0]).toMatchObject({ code: 'unknown_field', field: 'ghost' });
  expect(checkCondition({ field: 'x', op: 'gt', value: { $gt: 1 } })[0]).toMatchObject({ code: 'invalid_value' });
  expect(checkCondition({ field: 'x', op: 'gt', value: 1 })).toEqual([]);
});
