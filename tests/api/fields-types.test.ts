import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_TYPES } from '@qiao/form-engine';
import { TestApi } from '../support/api.ts';
import { postMultipart } from '../support/multipart.ts';

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start();
});
afterAll(async () => {
  await api?.close();
});

const PASSWORD = 'member-pass-1';
const opts = (...values: string[]) => values.map((value) => ({ value, label: { 'zh-CN': `选项${value}`, en: `Option ${value}` } }));
const SIGNATURE = 'data:image/png;base64,iVBORw0KGgo=';

/** One field of every type of the contract, with per-type validation properties. */
function everyTypeFields(targetFormId: string) {
  return [
    { id: 'text', type: 'text', label: { 'zh-CN': '单行文本', en: 'Text' }, minLength: 2, maxLength: 10 },
    { id: 'code', type: 'text', label: 'Code', regex: '^[A-Z]{2}-\\d+$' },
    { id: 'textarea', type: 'textarea', label: 'Textarea', maxLength: 50 },
    { id: 'number', type: 'number', label: 'Number', min: 0, max: 100, precision: 1 },
    { id: 'money', type: 'money', label: 'Money', currency: 'CNY' },
    { id: 'date', type: 'date', label: 'Date', min: '2020-01-01', max: '2030-12-31' },
    { id: 'datetime', type: 'datetime', label: 'Datetime' },
    { id: 'radio', type: 'radio', label: 'Radio', options: opts('a', 'b') },
    { id: 'checkbox', type: 'checkbox', label: 'Checkbox', options: opts('a', 'b', 'c'), max: 2 },
    { id: 'select', type: 'select', label: 'Select', options: opts('x', 'y') },
    { id: 'multiselect', type: 'multiselect', label: 'Multiselect', options: opts('x', 'y', 'z') },
    { id: 'member', type: 'member', label: 'Member' },
    { id: 'members', type: 'members', label: 'Members' },
    { id: 'department', type: 'department', label: 'Department' },
    { id: 'departments', type: 'departments', label: 'Departments' },
    { id: 'mobile', type: 'phone', label: 'Mobile', format: 'mobile' },
    { id: 'phone', type: 'phone', label: 'Phone' },
    { id: 'email', type: 'email', label: 'Email' },
    { id: 'address', type: 'address', label: 'Address' },
    { id: 'location', type: 'location', label: 'Location' },
    { id: 'image', type: 'image', label: 'Image' },
    { id: 'attachment', type: 'attachment', label: 'Attachment', max: 2 },
    { id: 'signature', type: 'signature', label: 'Signature' },
    { id: 'serial', type: 'serial', label: 'Serial', pattern: 'QT-{YYYYMMDD}-{0000}' },
    {
      id: 'items',
      type: 'subform',
      label: 'Items',
      minRows: 2,
      maxRows: 3,
      fields: [
        { id: 'sku', type: 'text', label: 'SKU', required: true },
        { id: 'price', type: 'money', label: 'Price', min: 0 },
        { id: 'qty', type: 'number', label: 'Qty', min: 1, precision: 0 },
        { id: 'amount', type: 'formula', label: 'Amount', formula: 'price * qty' },
        { id: 'when', type: 'date', label: 'When' },
      ],
    },
    { id: 'relation', type: 'relation', label: 'Relation', form: targetFormId },
    { id: 'query', type: 'query', label: 'Query', form: targetFormId, filter: { field: 'name', op: 'eq', value: { ref: 'text' } } },
    { id: 'discount', type: 'number', label: 'Discount', min: 0, max: 1 },
    { id: 'total', type: 'formula', label: 'Total', formula: 'SUM(items.amount) * (1 - discount)' },
    { id: 'summary', type: 'formula', label: 'Summary', formula: 'UPPER(text) & "/" & COUNT(items.sku)' },
    { id: 'divider', type: 'divider', label: 'Divider' },
    { id: 'description', type: 'description', label: 'Description', content: 'Read me' },
  ];
}

async function setup() {
  const owner = await api.signup('Owner', 'TypesCo');
  const app = await api.post('/api/v1/apps', { name: 'All' }, owner.token);
  const target = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'Target', fields: [{ id: 'name', type: 'text', label: 'Name' }] }, owner.token);
  const related = await api.post(`/api/v1/forms/${target.body.id}/records`, { data: { name: 'hello' } }, owner.token);
  const form = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'Every type', fields: everyTypeFields(target.body.id) }, owner.token);
  expect(form.status, JSON.stringify(form.body)).toBe(201);
  const member = await api.post('/api/v1/members', { email: `m-${Math.random().toString(36).slice(2)}@example.com`, name: 'Mem', password: PASSWORD }, owner.token);
  const dept = await api.post('/api/v1/departments', { name: 'Ops' }, owner.token);
  const file = await postMultipart(api, '/api/v1/files', { file: { data: 'PNG', filename: 'a.png', type: 'image/png' } }, owner.token);
  return { owner, formId: form.body.id as string, targetId: target.body.id as string, relatedId: related.body.id as string, memberId: member.body.id as string, deptId: dept.body.id as string, file: file.body };
}

type Setup = Awaited<ReturnType<typeof setup>>;

function validData(s: Setup) {
  return {
    text: 'hello',
    code: 'AB-12',
    textarea: 'line 1\nline 2',
    number: 12.5,
    money: 1999.99,
    date: '2024-05-01',
    datetime: '2024-05-01T09:30:00+08:00',
    radio: 'a',
    checkbox: ['a', 'c'],
    select: 'y',
    multiselect: ['x', 'z'],
    member: s.memberId,
    members: [s.memberId, s.owner.userId],
    department: s.deptId,
    departments: [s.deptId],
    mobile: '13800000001',
    phone: '+44 20 7946 0958',
    email: 'a@example.com',
    address: { province: '广东省', city: '深圳市', district: '南山区', detail: '1号' },
    location: { lng: 114.05, lat: 22.54, address: 'Shenzhen' },
    image: [s.file],
    attachment: [{ url: 'https://example.com/a.pdf', name: 'a.pdf', size: 10, type: 'application/pdf' }],
    signature: SIGNATURE,
    items: [
      { sku: 'A', price: 10, qty: 2, when: '2024-01-02' },
      { sku: 'B', price: 2.5, qty: 4 },
    ],
    relation: s.relatedId,
    discount: 0.1,
  };
}

describe('every field type through the API', () => {
  it('covers every type of the contract', () => {
    const types = new Set(everyTypeFields('x').map((f) => f.type));
    expect([...FIELD_TYPES].filter((t) => !types.has(t))).toEqual([]);
  });

  it('stores valid values of every type, computes formulas and serials, and reads them back', async () => {
    const s = await setup();
    const res = await api.post(`/api/v1/forms/${s.formId}/records`, { data: validData(s) }, s.owner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { items, total, summary, serial, datetime, ...rest } = res.body.data;
    const { items: _i, datetime: _d, ...sent } = validData(s);
    expect(rest).toEqual(sent);
    expect(datetime).toBe('2024-05-01T01:30:00.000Z'); // stored in canonical UTC
    expect(items).toEqual([
      { sku: 'A', price: 10, qty: 2, when: '2024-01-02', amount: 20 },
      { sku: 'B', price: 2.5, qty: 4, amount: 10 },
    ]);
    expect(total).toBeCloseTo(27, 10);
    expect(summary).toBe('HELLO/2');
    expect(serial).toMatch(/^QT-\d{8}-0001$/);
    expect((await api.get(`/api/v1/forms/${s.formId}/records/${res.body.id}`, s.owner.token)).body.data).toEqual(res.body.data);
  });

  it('replaces formula values a client sends with the server’s own, and ignores sent serials', async () => {
    const s = await setup();
    const data = { ...validData(s), total: 1_000_000, summary: 'forged', serial: 'QT-FAKE', items: [{ sku: 'A', price: 3, qty: 3, amount: 999 }, { sku: 'B', amount: 5 }] };
    const res = await api.post(`/api/v1/forms/${s.formId}/records`, { data }, s.owner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.data).toMatchObject({ total: 8.1, summary: 'HELLO/2', items: [{ amount: 9 }, { amount: 0 }] });
    expect(res.body.data.serial).toMatch(/^QT-\d{8}-\d{4}$/);
    const patched = await api.patch(`/api/v1/forms/${s.formId}/records/${res.body.id}`, { data: { discount: 0.5, total: 1 } }, s.owner.token);
    expect(patched.status).toBe(200);
    expect(patched.body.data.total).toBe(4.5);
    expect(patched.body.data.serial).toBe(res.body.data.serial);
  });

  const invalid: [string, unknown, string][] = [
    ['text', 'x', 'minLength'],
    ['text', 'much too long text', 'maxLength'],
    ['text', 42, 'type'],
    ['code', 'ab-12', 'pattern'],
    ['textarea', 'x'.repeat(51), 'maxLength'],
    ['number', 101, 'max'],
    ['number', -1, 'min'],
    ['number', 1.25, 'precision'],
    ['number', '12', 'type'],
    ['money', 1.001, 'precision'],
    ['date', '2024-02-30', 'format'],
    ['date', '2019-12-31', 'min'],
    ['date', '2024/05/01', 'format'],
    ['datetime', '2024-05-01 09:30', 'format'],
    ['radio', 'c', 'option'],
    ['checkbox', ['a', 'b', 'c'], 'max'],
    ['checkbox', ['a', 'a'], 'duplicate_item'],
    ['checkbox', ['zzz'], 'option'],
    ['select', ['x'], 'type'],
    ['multiselect', 'x', 'type'],
    ['member', 'no-such-user', 'member_missing'],
    ['members', ['no-such-user'], 'member_missing'],
    ['department', 'no-such-dept', 'department_missing'],
    ['departments', ['no-such-dept'], 'department_missing'],
    ['mobile', '12345', 'format'],
    ['phone', 'call me', 'format'],
    ['email', 'not-an-email', 'format'],
    ['address', { province: 'P', street: 'x' }, 'unknown_field'],
    ['location', { lng: 200, lat: 0 }, 'max'],
    ['location', { address: 'no coordinates' }, 'required'],
    ['image', [{ name: 'a.png', url: 'javascript:alert(1)' }], 'format'],
    ['image', [{ name: 'x.pdf', url: 'https://e.com/x.pdf', type: 'application/pdf' }], 'format'],
    ['attachment', [{ url: '/a', name: 'a' }, { url: '/b', name: 'b' }, { url: '/c', name: 'c' }], 'max'],
    ['attachment', [{ id: 'missing-file', name: 'm' }], 'file_missing'],
    ['signature', 'data:text/html;base64,PHNjcmlwdD4=', 'format'],
    ['relation', 'missing-record', 'relation_missing'],
    ['relation', ['list'], 'type'],
    ['items', [{ sku: 'a' }], 'minRows'],
    ['items', [{ sku: 'a' }, { sku: 'b' }, { sku: 'c' }, { sku: 'd' }], 'maxRows'],
    ['nope', 1, 'unknown_field'],
  ];

  it.each(invalid)('refuses an invalid %s value %j (%s) with 422 naming the field, and writes nothing', async (field, value, code) => {
    const s = await shared();
    const res = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { ...validData(s), [field]: value } }, s.owner.token);
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.errors).toContainEqual(expect.objectContaining({ field, code, message: expect.any(String) }));
    expect(res.body.errors.every((e: { field: string }) => e.field === field)).toBe(true);
  });

  it('ignores values sent for computed and layout fields (query, divider, description) instead of storing them', async () => {
    const s = await shared();
    const res = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { ...validData(s), query: ['x'], divider: 'x', description: { a: 1 } } }, s.owner.token);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.data)).not.toEqual(expect.arrayContaining(['query']));
    expect(res.body.data).not.toHaveProperty('divider');
    expect(res.body.data).not.toHaveProperty('description');
  });

  it('names the subform row and column of every bad cell, all at once', async () => {
    const s = await shared();
    const items = [{ sku: 'ok', qty: 1 }, { qty: 0 }, { sku: 'c', price: -1, when: 'tomorrow', extra: true }];
    const res = await api.post(`/api/v1/forms/${s.formId}/records`, { data: { ...validData(s), items, email: 'bad' } }, s.owner.token);
    expect(res.status).toBe(422);
    const found = res.body.errors.map((e: { field: string; row?: number; column?: string; code: string }) => [e.field, e.row, e.column, e.code].join('|')).sort();
    expect(found).toEqual(['email|||format', 'items|1|qty|min', 'items|1|sku|required', 'items|2|extra|unknown_field', 'items|2|price|min', 'items|2|when|format'].sort());
    expect((await api.get(`/api/v1/forms/${s.formId}/records`, s.owner.token)).body.items.some((r: { data: { email?: string } }) => r.data.email === 'bad')).toBe(false);
  });

  it('requires required fields, waives them when a rule hides them, and honours requiredWhen', async () => {
    const owner = await api.signup('Owner', 'RulesCo');
    const app = await api.post('/api/v1/apps', { name: 'Rules' }, owner.token);
    const form = await api.post(
      `/api/v1/apps/${app.body.id}/forms`,
      {
        name: 'Leave',
        fields: [
          { id: 'kind', type: 'select', label: 'Kind', required: true, options: opts('sick', 'annual') },
          { id: 'certificate', type: 'text', label: 'Certificate', required: true, visibleWhen: { field: 'kind', op: 'eq', value: 'sick' } },
          { id: 'days', type: 'number', label: 'Days', default: 1 },
          { id: 'reason', type: 'textarea', label: 'Reason', requiredWhen: { field: 'days', op: 'gt', value: 3 } },
        ],
      },
      owner.token,
    );
    expect(form.status, JSON.stringify(form.body)).toBe(201);
    const post = (data: unknown) => api.post(`/api/v1/forms/${form.body.id}/records`, { data }, owner.token);
    expect((await post({})).body.errors.map((e: { field: string }) => e.field)).toEqual(['kind']);
    expect((await post({ kind: 'sick' })).body.errors.map((e: { field: string }) => e.field)).toEqual(['certificate']);
    const annual = await post({ kind: 'annual' });
    expect(annual.status).toBe(201);
    expect(annual.body.data).toEqual({ kind: 'annual', days: 1 });
    expect((await post({ kind: 'annual', days: 5 })).body.errors).toEqual([expect.objectContaining({ field: 'reason', code: 'required' })]);
    expect((await post({ kind: 'annual', days: 5, reason: 'trip' })).status).toBe(201);
  });

  it('gives 50 concurrent creates 50 distinct serial numbers', async () => {
    const s = await setup();
    const results = await Promise.all(Array.from({ length: 50 }, () => api.post(`/api/v1/forms/${s.formId}/records`, { data: validData(s) }, s.owner.token)));
    expect(results.map((r) => r.status).every((st) => st === 201)).toBe(true);
    const serials = results.map((r) => r.body.data.serial as string);
    expect(new Set(serials).size).toBe(50);
    const counters = serials.map((x) => Number(x.slice(-4))).sort((a, b) => a - b);
    expect(counters[0]).toBe(1);
    expect(counters.at(-1)).toBeGreaterThanOrEqual(50);
  });

  it('keeps serials unique when a failed write burns a number (gap-tolerant)', async () => {
    const owner = await api.signup('Owner', 'GapCo');
    const app = await api.post('/api/v1/apps', { name: 'Gap' }, owner.token);
    const form = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'Tickets', fields: [{ id: 'no', type: 'serial', label: 'No', pattern: 'T{000}' }, { id: 'key', type: 'text', label: 'Key', unique: true }] }, owner.token);
    const post = (key: string) => api.post(`/api/v1/forms/${form.body.id}/records`, { data: { key } }, owner.token);
    expect((await post('a')).body.data.no).toBe('T001');
    expect((await post('a')).status).toBe(409);
    const third = await post('b');
    expect(third.status).toBe(201);
    expect(['T002', 'T003']).toContain(third.body.data.no);
    const all = (await api.get(`/api/v1/forms/${form.body.id}/records`, owner.token)).body.items.map((r: { data: { no: string } }) => r.data.no);
    expect(new Set(all).size).toBe(all.length);
  });

  it('answers 409 duplicate with the field and the existing record id for a unique value, on create and on update', async () => {
    const owner = await api.signup('Owner', 'UniqueCo');
    const app = await api.post('/api/v1/apps', { name: 'U' }, owner.token);
    const form = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: 'People', fields: [{ id: 'taxId', type: 'text', label: 'Tax id', unique: true }, { id: 'name', type: 'text', label: 'Name' }] }, owner.token);
    const url = `/api/v1/forms/${form.body.id}/records`;
    const first = await api.post(url, { data: { taxId: 'T-1', name: 'a' } }, owner.token);
    const dup = await api.post(url, { data: { taxId: 'T-1', name: 'b' } }, owner.token);
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ code: 'duplicate', field: 'taxId', existingId: first.body.id });
    const second = await api.post(url, { data: { taxId: 'T-2' } }, owner.token);
    const clash = await api.patch(`${url}/${second.body.id}`, { data: { taxId: 'T-1' } }, owner.token);
    expect(clash.status).toBe(409);
    expect(clash.body.existingId).toBe(first.body.id);
    expect((await api.post(url, { data: { name: 'no tax id' } }, owner.token)).status).toBe(201);
    expect((await api.post(url, { data: { name: 'no tax id either' } }, owner.token)).status).toBe(201);
  });
});

let sharedSetup: Promise<Setup> | undefined;
const shared = () => (sharedSetup ??= setup());
