import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestApi } from '../support/api.ts';
import { getBinary, postMultipart } from '../support/multipart.ts';
import type { RecordChange } from '../../server/src/platform/context.ts';

let api: TestApi;
const changes: RecordChange[] = [];
beforeAll(async () => {
  api = await TestApi.start();
  api.server.services.recordHooks.push(async (_tx, change) => {
    changes.push(change);
  });
});
afterAll(async () => {
  await api?.close();
});

const PASSWORD = 'member-pass-1';
const options = (...pairs: [string, string, string][]) => pairs.map(([value, zh, en]) => ({ value, label: { 'zh-CN': zh, en } }));

const orderFields = [
  { id: 'title', type: 'text', label: { 'zh-CN': '标题', en: 'Title' }, required: true },
  { id: 'code', type: 'text', label: { 'zh-CN': '编号', en: 'Code' }, unique: true },
  { id: 'amount', type: 'number', label: { 'zh-CN': '金额', en: 'Amount' }, min: 0, precision: 2 },
  { id: 'due', type: 'date', label: { 'zh-CN': '截止日期', en: 'Due' } },
  { id: 'at', type: 'datetime', label: { 'zh-CN': '时间', en: 'At' } },
  { id: 'stage', type: 'select', label: { 'zh-CN': '阶段', en: 'Stage' }, options: options(['new', '新建', 'New'], ['won', '赢单', 'Won']) },
  { id: 'tags', type: 'multiselect', label: { 'zh-CN': '标签', en: 'Tags' }, options: options(['a', '甲', 'Alpha'], ['b', '乙', 'Beta'], ['c', '丙', 'Gamma']) },
  { id: 'owner', type: 'member', label: { 'zh-CN': '负责人', en: 'Owner' } },
  { id: 'dept', type: 'department', label: { 'zh-CN': '部门', en: 'Department' } },
  { id: 'phone', type: 'phone', label: { 'zh-CN': '电话', en: 'Phone' } },
  { id: 'addr', type: 'address', label: { 'zh-CN': '地址', en: 'Address' } },
  { id: 'total', type: 'formula', label: { 'zh-CN': '合计', en: 'Total' }, formula: 'SUM(items.qty)' },
  { id: 'no', type: 'serial', label: { 'zh-CN': '流水号', en: 'No' }, pattern: 'ORD-{0000}' },
  {
    id: 'items',
    type: 'subform',
    label: { 'zh-CN': '明细', en: 'Items' },
    fields: [
      { id: 'sku', type: 'text', label: { 'zh-CN': '货号', en: 'SKU' }, required: true },
      { id: 'qty', type: 'number', label: { 'zh-CN': '数量', en: 'Qty' }, min: 1 },
    ],
  },
];

async function setup(fields: unknown[] = orderFields) {
  const owner = await api.signup('Owner', 'ImportCo');
  const app = await api.post('/api/v1/apps', { name: 'Sales' }, owner.token);
  const form = await api.post(`/api/v1/apps/${app.body.id}/forms`, { name: { 'zh-CN': '订单', en: 'Orders' }, fields }, owner.token);
  expect(form.status, JSON.stringify(form.body)).toBe(201);
  return { owner, appId: app.body.id as string, formId: form.body.id as string };
}

async function list(formId: string, token: string, query = '') {
  const res = await api.get(`/api/v1/forms/${formId}/records?limit=100&sort=createdAt${query}`, token);
  expect(res.status).toBe(200);
  return res.body as { items: { id: string; data: Record<string, any>; createdBy: string }[]; total: number };
}

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');
const importCsv = (formId: string, token: string, rows: string[][], query = '', extra: Record<string, string> = {}) =>
  postMultipart(api, `/api/v1/forms/${formId}/import${query}`, { ...extra, file: { data: csv(rows), filename: 'data.csv', type: 'text/csv' } }, token);

async function readWorkbook(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as never);
  const ws = wb.worksheets[0];
  const rows: unknown[][] = [];
  ws.eachRow({ includeEmpty: true }, (row) => rows.push((row.values as unknown[]).slice(1)));
  return { ws, rows };
}

describe('import', () => {
  it('matches headers by label in either language, converts Excel text and writes every row with hooks', async () => {
    const { owner, formId } = await setup();
    const ann = await api.post('/api/v1/members', { email: `ann-${Date.now()}@example.com`, name: 'Ann', password: PASSWORD }, owner.token);
    const dept = await api.post('/api/v1/departments', { name: '销售部' }, owner.token);
    expect(dept.status, JSON.stringify(dept.body)).toBe(201);
    changes.length = 0;
    const res = await importCsv(formId, owner.token, [
      ['标题', 'Code', '金额', 'Due', '时间', '阶段', 'tags', '负责人', '部门', '电话', '地址', '合计', '备注'],
      ['First', 'C-1', '1,234.5', '2024/5/1', '2024-05-01 09:30', '赢单', '甲、Beta', ann.body.email, '销售部', '138 0000 0001', '广东省/深圳市/南山区/科技园 1 号', '999', 'ignored note'],
      ['Second', 'C-2', '12%', '2024年6月3日', '2024-06-03T08:00:00Z', 'New', '', 'Ann', '', '', '', '', ''],
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ imported: 2, skipped: 0, total: 2, errors: [] });
    expect(res.body.unmapped).toEqual(['备注']);
    expect(res.body.ignored).toEqual(['合计']);
    const { items } = await list(formId, owner.token);
    expect(items.map((r) => r.data)).toEqual([
      {
        title: 'First',
        code: 'C-1',
        amount: 1234.5,
        due: '2024-05-01',
        at: '2024-05-01T01:30:00.000Z',
        stage: 'won',
        tags: ['a', 'b'],
        owner: ann.body.id,
        dept: dept.body.id,
        phone: '13800000001',
        addr: { province: '广东省', city: '深圳市', district: '南山区', detail: '科技园 1 号' },
        total: 0,
        no: expect.stringMatching(/^ORD-\d{4}$/),
      },
      { title: 'Second', code: 'C-2', amount: 0.12, due: '2024-06-03', at: '2024-06-03T08:00:00.000Z', stage: 'new', owner: ann.body.id, total: 0, no: expect.stringMatching(/^ORD-\d{4}$/) },
    ]);
    expect(items[0].data.no).not.toBe(items[1].data.no);
    expect(changes.filter((c) => c.formId === formId).map((c) => [c.kind, c.source])).toEqual([
      ['created', 'import'],
      ['created', 'import'],
    ]);
    const history = await api.get(`/api/v1/forms/${formId}/records/${items[0].id}/history`, owner.token);
    expect(history.body.items[0]).toMatchObject({ action: 'create', source: 'import' });

    changes.length = 0;
    const quiet = await importCsv(formId, owner.token, [['标题'], ['Quiet']], '?silent=true');
    expect(quiet.status).toBe(201);
    expect(changes.filter((c) => c.formId === formId).map((c) => [c.source, c.silent])).toEqual([['import', true]]);
  });

  it('imports nothing when a row fails and reports every problem with its Excel row', async () => {
    const { owner, formId } = await setup();
    const res = await importCsv(formId, owner.token, [
      ['Title', 'Amount', 'Stage', 'Due', 'Owner'],
      ['ok', '5', 'New', '2024-01-01', ''],
      ['', '-3', 'Lost', '2024-02-30', 'nobody@example.com'],
      ['fine', 'abc', 'Won', '', ''],
    ]);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'validation_failed', imported: 0, total: 3, invalid: 2 });
    expect(res.body.rows.map((r: { row: number }) => r.row)).toEqual([3, 4]);
    const row3 = res.body.rows[0].errors.map((e: { field: string }) => e.field).sort();
    expect(row3).toEqual(['amount', 'due', 'owner', 'stage', 'title']);
    expect(res.body.rows[1].errors).toEqual([expect.objectContaining({ field: 'amount', code: 'type', message: expect.stringContaining('abc') })]);
    expect(res.body.errors.every((e: { row: number; message: string }) => e.row >= 3 && e.message.length > 0)).toBe(true);
    expect((await list(formId, owner.token)).total).toBe(0);
  });

  it('imports the valid rows only when asked (partial=true), as a query flag or a form field', async () => {
    const { owner, formId } = await setup();
    const rows = [
      ['Title', 'Amount'],
      ['a', '1'],
      ['b', 'x'],
      ['c', '3'],
    ];
    const res = await importCsv(formId, owner.token, rows, '?partial=true');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ imported: 2, skipped: 1, rows: [{ row: 3, errors: [expect.objectContaining({ field: 'amount' })] }] });
    const again = await importCsv(formId, owner.token, rows, '', { partial: 'true' });
    expect(again.body.imported).toBe(2);
    expect((await list(formId, owner.token)).items.map((r) => r.data.title)).toEqual(['a', 'c', 'a', 'c']);
  });

  it('previews the mapping and the errors without writing on dryRun, and honours an explicit mapping', async () => {
    const { owner, formId } = await setup();
    const rows = [
      ['Name of deal', 'Money', 'Whatever'],
      ['x', '10', 'n/a'],
      ['', '20', ''],
    ];
    const preview = await importCsv(formId, owner.token, rows, '?dryRun=true&lang=en', { mapping: JSON.stringify({ 'Name of deal': 'title', Money: 'amount' }) });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toMatchObject({
      dryRun: true,
      imported: 0,
      total: 2,
      valid: 1,
      invalid: 1,
      mapping: [
        { header: 'Name of deal', field: 'title', label: 'Title' },
        { header: 'Money', field: 'amount', label: 'Amount' },
      ],
      unmapped: ['Whatever'],
      rows: [{ row: 3, errors: [expect.objectContaining({ field: 'title', code: 'required' })] }],
      preview: [{ row: 2, data: expect.objectContaining({ title: 'x', amount: 10 }) }],
    });
    expect((await list(formId, owner.token)).total).toBe(0);

    const badMapping = await importCsv(formId, owner.token, rows, '', { mapping: JSON.stringify({ Money: 'nope', Missing: 'title', 'Name of deal': 'total' }) });
    expect(badMapping.status).toBe(422);
    expect(badMapping.body.code).toBe('invalid_mapping');
    expect(badMapping.body.errors.map((e: { code: string }) => e.code).sort()).toEqual(['not_importable', 'unknown_column', 'unknown_field']);
    expect((await importCsv(formId, owner.token, rows, '', { mapping: '{oops' })).status).toBe(400);
    expect((await importCsv(formId, owner.token, [['nothing', 'matches'], ['1', '2']])).body.code).toBe('invalid_mapping');
  });

  it('reports duplicates of a unique field within the file and against stored records, with the holder id', async () => {
    const { owner, formId } = await setup();
    const existing = await api.post(`/api/v1/forms/${formId}/records`, { data: { title: 'old', code: 'K1' } }, owner.token);
    const res = await importCsv(formId, owner.token, [
      ['Title', 'Code'],
      ['a', 'K1'],
      ['b', 'K2'],
      ['c', 'K2'],
    ]);
    expect(res.status).toBe(422);
    expect(res.body.rows).toEqual([
      { row: 2, errors: [expect.objectContaining({ field: 'code', code: 'duplicate', existingId: existing.body.id })] },
      { row: 4, errors: [expect.objectContaining({ field: 'code', code: 'duplicate', message: 'same value as row 3' })] },
    ]);
    expect((await list(formId, owner.token)).total).toBe(1);
  });

  it('reads .xlsx with real dates, numbers and subform lines under their record, and reports subform rows', async () => {
    const { owner, formId } = await setup();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Orders');
    ws.addRow(['Title', 'Amount', 'Due', 'At', 'Items.SKU', '明细.数量']);
    ws.addRow(['Order 1', 19.99, new Date(Date.UTC(2024, 4, 1)), new Date(Date.UTC(2024, 4, 1, 9, 30)), 'S-1', 2]);
    ws.addRow([null, null, null, null, 'S-2', 3]);
    ws.addRow(['Order 2', 0.1 + 0.2, 45444, null, 'S-3', 1]);
    ws.mergeCells('A2:A3');
    const ok = await postMultipart(api, `/api/v1/forms/${formId}/import`, { file: { data: Buffer.from(await wb.xlsx.writeBuffer()), filename: 'orders.xlsx' } }, owner.token);
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const { items } = await list(formId, owner.token);
    expect(items.map((r) => r.data)).toEqual([
      expect.objectContaining({ title: 'Order 1', amount: 19.99, due: '2024-05-01', at: '2024-05-01T01:30:00.000Z', items: [{ sku: 'S-1', qty: 2 }, { sku: 'S-2', qty: 3 }], total: 5 }),
      expect.objectContaining({ title: 'Order 2', amount: 0.3, due: '2024-06-01', items: [{ sku: 'S-3', qty: 1 }], total: 1 }),
    ]);

    const bad = new ExcelJS.Workbook();
    const sheet = bad.addWorksheet('Orders');
    sheet.addRow(['Title', 'SKU', 'Qty']);
    sheet.addRow(['Order 3', 'S-1', 1]);
    sheet.addRow([null, null, 0]);
    const res = await postMultipart(api, `/api/v1/forms/${formId}/import`, { file: { data: Buffer.from(await bad.xlsx.writeBuffer()), filename: 'bad.xlsx' }, mapping: JSON.stringify({ Title: 'title', SKU: 'items.sku', Qty: 'qty' }) }, owner.token);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 3, field: 'items', subformRow: 1, column: 'sku', code: 'required' }),
        expect.objectContaining({ row: 3, field: 'items', subformRow: 1, column: 'qty', code: 'min' }),
      ]),
    );
  });

  it('finds related records by id or title text, and refuses members without the import right', async () => {
    const { owner, appId, formId: productsId } = await setup([{ id: 'name', type: 'text', label: 'Name' }]);
    const p1 = await api.post(`/api/v1/forms/${productsId}/records`, { data: { name: 'Widget' } }, owner.token);
    await api.post(`/api/v1/forms/${productsId}/records`, { data: { name: 'Twin' } }, owner.token);
    await api.post(`/api/v1/forms/${productsId}/records`, { data: { name: 'Twin' } }, owner.token);
    const orders = await api.post(`/api/v1/apps/${appId}/forms`, { name: 'Lines', fields: [{ id: 'product', type: 'relation', label: 'Product', form: productsId }] }, owner.token);
    const res = await importCsv(orders.body.id, owner.token, [['Product'], ['Widget'], [p1.body.id], ['Twin'], ['Nope']]);
    expect(res.status).toBe(422);
    expect(res.body.rows.map((r: { row: number; errors: { code: string }[] }) => [r.row, r.errors[0].code])).toEqual([
      [4, 'ambiguous'],
      [5, 'relation_missing'],
    ]);
    const partial = await importCsv(orders.body.id, owner.token, [['Product'], ['Widget'], [p1.body.id]]);
    expect(partial.status).toBe(201);
    expect((await list(orders.body.id, owner.token)).items.map((r) => r.data.product)).toEqual([p1.body.id, p1.body.id]);

    const member = await api.post('/api/v1/members', { email: `m-${Date.now()}@example.com`, name: 'Mem', password: PASSWORD }, owner.token);
    const login = await api.post('/api/v1/auth/login', { email: member.body.email, password: PASSWORD });
    await api.post(`/api/v1/forms/${productsId}/permission-groups`, { name: 'Submitters', grantees: { memberIds: [member.body.id] }, actions: ['submit', 'view'] }, owner.token);
    const refused = await importCsv(productsId, login.body.token, [['Name'], ['x']]);
    expect(refused.status).toBe(403);
    const exportRefused = await getBinary(api, `/api/v1/forms/${productsId}/export`, login.body.token);
    expect(exportRefused.status).toBe(403);
  });

  it('refuses uploads that are not spreadsheets, empty files and requests without a file', async () => {
    const { owner, formId } = await setup();
    const notXlsx = await postMultipart(api, `/api/v1/forms/${formId}/import`, { file: { data: 'garbage', filename: 'x.xlsx' } }, owner.token);
    expect(notXlsx.status).toBe(400);
    const corrupt = await postMultipart(api, `/api/v1/forms/${formId}/import`, { file: { data: Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), filename: 'x.xlsx' } }, owner.token);
    expect(corrupt.status).toBe(400);
    const empty = await postMultipart(api, `/api/v1/forms/${formId}/import`, { file: { data: '', filename: 'x.csv' } }, owner.token);
    expect(empty.status).toBe(422);
    const noFile = await postMultipart(api, `/api/v1/forms/${formId}/import`, { mapping: '{}' }, owner.token);
    expect(noFile.status).toBe(422);
    const json = await api.post(`/api/v1/forms/${formId}/import`, { file: 'x' }, owner.token);
    expect(json.status).toBe(415);
  });
});

describe('export', () => {
  it('exports the filtered, sorted view with labels in the asked language, subform lines merged under their record', async () => {
    const { owner, formId } = await setup();
    const ann = await api.post('/api/v1/members', { email: `ann-${Date.now()}@example.com`, name: 'Ann', password: PASSWORD }, owner.token);
    const post = (data: Record<string, unknown>) => api.post(`/api/v1/forms/${formId}/records`, { data }, owner.token);
    expect((await post({ title: 'Low', amount: 5, stage: 'new' })).status).toBe(201);
    const high = await post({ title: 'High', amount: 500, stage: 'won', tags: ['a', 'c'], owner: ann.body.id, due: '2024-05-01', at: '2024-05-01T01:30:00Z', items: [{ sku: 'S-1', qty: 2 }, { sku: 'S-2', qty: 3 }] });
    expect(high.status, JSON.stringify(high.body)).toBe(201);
    await post({ title: 'Mid', amount: 50 });

    const filter = encodeURIComponent(JSON.stringify({ field: 'amount', op: 'gte', value: 10 }));
    const res = await getBinary(api, `/api/v1/forms/${formId}/export?filter=${filter}&sort=-amount&lang=en`, owner.token);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(String(res.headers['content-disposition'])).toContain("filename*=UTF-8''Orders.xlsx");
    const { ws, rows } = await readWorkbook(res.body);
    const headers = rows[0] as string[];
    expect(headers.slice(0, 14)).toEqual(['Title', 'Code', 'Amount', 'Due', 'At', 'Stage', 'Tags', 'Owner', 'Department', 'Phone', 'Address', 'Total', 'No', 'Items.SKU']);
    expect(headers).toEqual(expect.arrayContaining(['Items.Qty', 'Record ID', 'Created at']));
    const col = (name: string) => headers.indexOf(name);
    expect(rows).toHaveLength(4); // header, High (2 lines), Mid
    expect(rows[1][col('Title')]).toBe('High');
    expect(rows[1][col('Stage')]).toBe('Won');
    expect(rows[1][col('Tags')]).toBe('Alpha, Gamma');
    expect(rows[1][col('Owner')]).toBe('Ann');
    expect((rows[1][col('Due')] as Date).toISOString()).toBe('2024-05-01T00:00:00.000Z');
    expect((rows[1][col('At')] as Date).toISOString()).toBe('2024-05-01T09:30:00.000Z'); // wall clock in Asia/Shanghai
    expect(rows[1][col('Total')]).toBe(5);
    expect([rows[1][col('Items.SKU')], rows[2][col('Items.SKU')]]).toEqual(['S-1', 'S-2']);
    expect(rows[2][col('Items.Qty')]).toBe(3);
    expect(rows[3][col('Title')]).toBe('Mid');
    expect(ws.getCell(3, col('Title') + 1).isMerged).toBe(true);

    const audit = await api.get('/api/v1/audit-log?action=records.export', owner.token);
    expect(audit.body.items[0]).toMatchObject({ action: 'records.export', target: { type: 'form', id: formId }, detail: { total: 2 } });
  });

  it('pages through large views in batches without losing or repeating a record', async () => {
    const { owner, formId } = await setup([{ id: 'n', type: 'number', label: 'N' }]);
    const { recordsCollection } = await import('../../server/src/forms/store.ts');
    const { newId } = await import('../../server/src/platform/ids.ts');
    const at = '2024-01-01T00:00:00.000Z'; // equal timestamps: the order falls back to the id
    const docs = Array.from({ length: 2100 }, (_, i) => ({ _id: newId(), tenantId: owner.tenantId, formId, formVersion: 1, version: 1, data: { n: i }, createdAt: at, createdBy: owner.userId, updatedAt: at, updatedBy: owner.userId }));
    await api.server.services.store.collection(recordsCollection(formId)).insertMany(docs);
    const res = await getBinary(api, `/api/v1/forms/${formId}/export?fields=n`, owner.token);
    expect(res.status).toBe(200);
    const { rows } = await readWorkbook(res.body);
    const values = rows.slice(1).map((r) => r[0] as number);
    expect(values).toHaveLength(2100);
    expect(new Set(values).size).toBe(2100);
  });

  it('round-trips: an export imports back into the same data', async () => {
    const { owner, formId } = await setup();
    const dept = await api.post('/api/v1/departments', { name: 'East' }, owner.token);
    const data = { title: 'Trip', code: 'T-1', amount: 1234.56, due: '2024-02-29', at: '2024-03-01T15:45:00.000Z', stage: 'won', tags: ['b', 'c'], owner: owner.userId, dept: dept.body.id, phone: '010-12345678', addr: { province: 'P', city: 'C', district: 'D', detail: 'Road 1' }, items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 4 }] };
    const created = await api.post(`/api/v1/forms/${formId}/records`, { data }, owner.token);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const file = await getBinary(api, `/api/v1/forms/${formId}/export`, owner.token);
    expect(file.status).toBe(200);
    expect((await api.delete(`/api/v1/forms/${formId}/records/${created.body.id}`, owner.token)).status).toBe(204);
    const back = await postMultipart(api, `/api/v1/forms/${formId}/import`, { file: { data: file.body, filename: 'export.xlsx' } }, owner.token);
    expect(back.status, JSON.stringify(back.body)).toBe(201);
    expect(back.body.ignored).toEqual(expect.arrayContaining(['合计', '流水号']));
    const { items } = await list(formId, owner.token);
    const { no: _no, total: _total, ...restored } = items[0].data;
    expect(restored).toEqual(data);
  });

  it('leaves out fields hidden from the caller and refuses filtering on them', async () => {
    const { owner, formId } = await setup();
    await api.post(`/api/v1/forms/${formId}/records`, { data: { title: 'Secretive', amount: 42, code: 'S' } }, owner.token);
    const member = await api.post('/api/v1/members', { email: `v-${Date.now()}@example.com`, name: 'Viewer', password: PASSWORD }, owner.token);
    const login = await api.post('/api/v1/auth/login', { email: member.body.email, password: PASSWORD });
    const group = await api.post(`/api/v1/forms/${formId}/permission-groups`, { name: 'Exporters', grantees: { memberIds: [member.body.id] }, actions: ['view', 'export'], scope: 'all', fields: { amount: 'hidden' } }, owner.token);
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    const res = await getBinary(api, `/api/v1/forms/${formId}/export?lang=en`, login.body.token);
    expect(res.status).toBe(200);
    const { rows } = await readWorkbook(res.body);
    expect(rows[0]).not.toContain('Amount');
    expect(rows[1]).toContain('Secretive');
    expect(JSON.stringify(rows)).not.toContain('42');
    const filter = encodeURIComponent(JSON.stringify({ field: 'amount', op: 'eq', value: 42 }));
    expect((await getBinary(api, `/api/v1/forms/${formId}/export?filter=${filter}`, login.body.token)).status).toBe(403);
    expect((await getBinary(api, `/api/v1/forms/${formId}/export?fields=amount`, login.body.token)).status).toBe(403);
    expect((await getBinary(api, `/api/v1/forms/${formId}/export?fields=nope`, owner.token)).status).toBe(422);
  });
});
