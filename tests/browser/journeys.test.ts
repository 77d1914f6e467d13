// End-to-end journeys of a new user in real Chromium against the real server (issue 8).
// Each journey signs up its own tenant, so the journeys are independent of each other and of their order.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { repoRoot, startServer, tempDataDir, type SpawnedServer } from '../support/server.ts';
import * as helpers from './helpers.ts';
import { Api, launchBrowser, openPage, pickOption, screenshot, signInWithToken, signUpThroughUi, uniqueEmail, type Account } from './helpers.ts';

const JOURNEY_TIMEOUT = 90_000;
/** Screens update asynchronously: assertions on them retry until they hold or this runs out. */
const POLL = { timeout: 10_000, interval: 100 };
let server: SpawnedServer;
let browser: Browser;

function account(name = '测试用户'): Account {
  return { email: uniqueEmail(), password: 'correct-horse-1', name, tenantName: `${name}的公司` };
}

beforeAll(async () => {
  // QIAO_BROWSER_BASE_URL points the journeys at a server that is already running (handy while developing the UI).
  const external = process.env.QIAO_BROWSER_BASE_URL;
  const build = external ? { status: 0, stdout: '', stderr: '' } : spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-web.mjs'), '--if-stale'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`web build failed:\n${build.stdout}\n${build.stderr}`);
  [server, browser] = await Promise.all([
    external ? Promise.resolve({ url: external, dataDir: tempDataDir('qiao-browser-'), stop: async () => undefined } as unknown as SpawnedServer) : startServer(),
    launchBrowser(),
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Drags with real mouse events in small steps, the way a person does (dnd-kit needs pointer moves past its threshold). */
async function mouseDrag(page: Page, from: string, to: string, where: 'center' | 'bottom' = 'center') {
  // Start well inside the viewport: near its edge the drag would scroll the page under the pointer.
  await page.locator(from).evaluate((el) => el.scrollIntoView({ block: 'center', inline: 'center' }));
  const source = await page.locator(from).boundingBox();
  const target = await page.locator(to).boundingBox();
  if (!source || !target) throw new Error(`cannot drag ${from} → ${to}`);
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(source.x + source.width / 2 + 12, source.y + source.height / 2 + 4, { steps: 4 });
  const y = where === 'bottom' ? target.y + target.height - 8 : target.y + target.height / 2;
  await page.mouse.move(target.x + target.width / 2, y, { steps: 12 });
  await page.mouse.move(target.x + target.width / 2 + 2, y + 1, { steps: 2 });
  await page.mouse.up();
}

async function createForm(api: Api, name: string, fields: unknown[], rules: unknown[] = []) {
  const app = await api.call<{ id: string }>('POST', '/apps', { name: `${name}应用` });
  const form = await api.call<{ id: string }>('POST', `/apps/${app.id}/forms`, { name, fields, rules });
  return { appId: app.id, formId: form.id };
}

beforeEach((ctx) => {
  onTestFailed(async () => {
    const current = helpers.lastOpened;
    if (!current || current.page.isClosed()) return;
    const name = ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await screenshot(current.page, `failed-${name}`).catch(() => undefined);
    if (current.errors.length) console.error(`browser errors in "${ctx.task.name}":\n${current.errors.join('\n')}`);
  });
});

describe('browser journeys', () => {
  it('signs up a new tenant and lands on the workbench', async () => {
    const { page, errors, context } = await openPage(browser, server.url);
    const me = account('王小明');
    await signUpThroughUi(page, me);
    await page.getByText('王小明，欢迎回到 王小明的公司').waitFor();
    await page.getByRole('button', { name: '新建应用' }).waitFor();
    await screenshot(page, 'signup-workbench');
    expect(errors).toEqual([]);
    await context.close();
  }, JOURNEY_TIMEOUT);

  it('leads a signed-out deep link through the login form (Enter submits) and back to it', async () => {
    const me = account('李雷');
    const api = await Api.signUp(server.url, me);
    const { appId, formId } = await createForm(api, '客户', [{ id: 'name', type: 'text', label: { 'zh-CN': '名称', en: 'Name' } }]);
    const { page, errors, context } = await openPage(browser, server.url);
    await page.goto(`/apps/${appId}/forms/${formId}`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('邮箱').fill(me.email);
    await page.getByLabel('密码').fill(me.password);
    await page.getByLabel('密码').press('Enter');
    await page.waitForURL(`**/apps/${appId}/forms/${formId}`);
    await page.getByRole('heading', { name: '客户' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, JOURNEY_TIMEOUT);

  it('builds a form with a text, a number, a subform and a formula by dragging', async () => {
    const me = account('设计师');
    const api = await Api.signUp(server.url, me);
    const { appId, formId } = await createForm(api, '订单', []);
    const { page, errors, context } = await openPage(browser, server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/forms/${formId}/design`);
    await page.getByTestId('canvas-empty').waitFor();

    await mouseDrag(page, '[data-testid="palette-text"]', '[data-testid="designer-canvas"]');
    await page.getByTestId('canvas-field-text1').waitFor();
    await mouseDrag(page, '[data-testid="palette-number"]', '[data-testid="designer-canvas"]', 'bottom');
    await page.getByTestId('canvas-field-number1').waitFor();
    await mouseDrag(page, '[data-testid="palette-subform"]', '[data-testid="designer-canvas"]', 'bottom');
    await page.getByTestId('canvas-field-subform1').waitFor();
    // A number dropped on the subform becomes one of its columns.
    await mouseDrag(page, '[data-testid="palette-number"]', '[data-testid="subform-drop-subform1"]');
    await page.getByTestId('subform-column-number2').waitFor();
    await mouseDrag(page, '[data-testid="palette-formula"]', '[data-testid="designer-canvas"]', 'bottom');
    await page.getByTestId('canvas-field-formula1').waitFor();

    // The formula editor checks as you type with the engine's parser.
    const formula = page.getByLabel('计算公式');
    await formula.fill('number1 * (');
    await page.getByTestId('formula-error').waitFor();
    await formula.fill('number1 * 2 + SUM(subform1.number2)');
    await page.getByText('公式正确').waitFor();
    await page.getByLabel('标题（中文）').first().fill('合计');

    // Reorder by dragging: the number field moves above the text field.
    await mouseDrag(page, '[data-testid="canvas-field-number1"]', '[data-testid="canvas-field-text1"]');
    const order = await page.locator('[data-testid^="canvas-field-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order.slice(0, 2)).toEqual(['canvas-field-number1', 'canvas-field-text1']);

    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText('已保存为第 2 版').waitFor();
    await screenshot(page, 'designer-built-form');

    const saved = await api.call<{ version: number; fields: Array<{ id: string; type: string; formula?: string; fields?: Array<{ type: string }> }> }>('GET', `/forms/${formId}`);
    expect(saved.fields.map((f) => f.type)).toEqual(['number', 'text', 'subform', 'formula']);
    expect(saved.fields[2].fields?.map((c) => c.type)).toEqual(['number']);
    expect(saved.fields[3].formula).toBe('number1 * 2 + SUM(subform1.number2)');
    expect(errors).toEqual([]);
    await context.close();
  }, JOURNEY_TIMEOUT);

  it('adds a field with the keyboard alone', async () => {
    const me = account('键盘用户');
    const api = await Api.signUp(server.url, me);
    const { appId, formId } = await createForm(api, '键盘', [{ id: 'title', type: 'text', label: '标题' }]);
    const { page, errors, context } = await openPage(browser, server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/forms/${formId}/design`);
    // Each key waits for the screen-reader announcement, as a person waits to hear where the field is.
    const live = page.locator('[id^="DndLiveRegion"]');
    await page.getByTestId('palette-email').focus();
    await page.keyboard.press('Space');
    await expect.poll(() => live.innerText(), POLL).toContain('开始拖动 邮箱');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => live.innerText(), POLL).toContain('移到 标题');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => live.innerText(), POLL).toContain('移到 表单画布');
    await page.keyboard.press('Space');
    await expect.poll(() => live.innerText(), POLL).toContain('已放到 表单画布');
    await page.getByTestId('canvas-field-email1').waitFor();
    const order = await page.locator('[data-testid^="canvas-field-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(order).toEqual(['canvas-field-title', 'canvas-field-email1']);
    // Undo takes it away again.
    await page.getByRole('button', { name: '撤销' }).click();
    await expect.poll(() => page.getByTestId('canvas-field-email1').count(), POLL).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, JOURNEY_TIMEOUT);

  it('submits a record and shows the formula result', async () => {
    const me = account('填表人');
    const api = await Api.signUp(server.url, me);
    const { appId, formId } = await createForm(api, '报价', [
      { id: 'customer', type: 'text', label: { 'zh-CN': '客户', en: 'Customer' }, required: true },
      {
        id: 'items',
        type: 'subform',
        label: { 'zh-CN': '明细', en: 'Items' },
        fields: [
          { id: 'qty', type: 'number', label: { 'zh-CN': '数量', en: 'Qty' } },
          { id: 'price', type: 'money', label: { 'zh-CN': '单价', en: 'Price' } },
          { id: 'amount', type: 'formula', label: { 'zh-CN': '金额', en: 'Amount' }, formula: 'qty * price' },
        ],
      },
      { id: 'discount', type: 'number', label: { 'zh-CN': '折扣', en: 'Discount' } },
      { id: 'total', type: 'formula', label: { 'zh-CN': '总计', en: 'Total' }, formula: 'SUM(items.amount) * (1 - discount / 100)' },
    ]);
    const { page, errors, context } = await openPage(browser, server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/forms/${formId}/new`);
    await page.getByLabel('客户', { exact: true }).fill('华东贸易');
    await page.getByRole('button', { name: '添加一行' }).click();
    await page.getByRole('button', { name: '添加一行' }).click();
    const row = (n: number) => page.getByTestId('subform-items').getByRole('row', { name: `第 ${n} 行` });
    await row(1).getByLabel('数量').fill('2');
    await row(1).getByLabel('单价').fill('50');
    await row(2).getByLabel('数量').fill('1');
    await row(2).getByLabel('单价').fill('100');
    await page.getByLabel('折扣').fill('10');
    // Live: (2*50 + 1*100) * 0.9 = 180 before anything reaches the server.
    await expect.poll(() => page.getByLabel('总计').inputValue(), POLL).toBe('180');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByText('提交成功').first().waitFor();
    await expect.poll(() => page.getByTestId('value-total').innerText(), POLL).toBe('180');
    await screenshot(page, 'record-submitted-formula');
    const list = await api.call<{ items: Array<{ data: Record<string, unknown> }> }>('GET', `/forms/${formId}/records`);
    expect(list.items[0].data.total).toBe(180);
    expect(errors).toEqual([]);
    await context.close();
  }, JOURNEY_TIMEOUT);

  it('shows a validation error on the field that is wrong, from the browser and from the server', async () => {
    const me = account('校验');
    const api = await Api.signUp(server.url, me);
    const { appId, formId } = await createForm(api, '会员', [
      { id: 'name', type: 'text', label: { 'zh-CN': '会员名', en: 'Member name' }, required: true, unique: true },
      { id: 'age', type: 'number', label: { 'zh-CN': '年龄', en: 'Age' }, min: 0, max: 150 },
      { id: 'mail', type: 'email', label: { 'zh-CN': '电子邮箱', en: 'Email' } },
    ]);
    await api.call('POST', `/forms/${formId}/records`, { data: { name: '已存在' } });
    const { page, errors, context } = await openPage(browser, server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/forms/${formId}/new`);
    await page.getByLabel('会员名').fill('新会员');
    await page.getByLabel('年龄').fill('200');
    await page.getByLabel('电子邮箱').fill('not-an-email');
    await page.getByRole('button', { name: '提交' }).click();
    await expect.poll(() => page.getByTestId('field-age').getByRole('alert').innerText(), POLL).toContain('不能大于 150');
    await expect.poll(() => page.getByTestId('field-mail').getByRole('alert').innerText(), POLL).toContain('格式不正确');
    await expect.poll(() => page.getByTestId('field-name').getByRole('alert').count(), POLL).toBe(0);
    await screenshot(page, 'validation-error-on-field');

    // The server's answer lands on its field too: a duplicate name is only known to the server.
    await page.getByLabel('年龄').fill('30');
    await page.getByLabel('电子邮箱').fill('ok@example.com');
    await page.getByLabel('会员名').fill('已存在');
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByTestId('field-name').getByRole('alert').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, JOURNEY_TIMEOUT);

  it('filters and sorts the records table', async () => {
    const me = account('分析师');
    const api = await Api.signUp(server.url, me);
    const { appId, formId } = await createForm(api, '订单', [
      { id: 'title', type: 'text', label: { 'zh-CN': '订单名', en: 'Order' } },
      { id: 'amount', type: 'number', label: { 'zh-CN': '金额', en: 'Amount' } },
      { id: 'region', type: 'select', label: { 'zh-CN': '区域', en: 'Region' }, options: [{ value: 'east', label: '华东' }, { value: 'north', label: '华北' }] },
    ]);
    await Promise.all(
      Array.from({ length: 24 }, (_, k) => k + 1).map((i) =>
        api.call('POST', `/forms/${formId}/records`, { data: { title: `订单${String(i).padStart(2, '0')}`, amount: i * 10, region: i % 2 ? 'east' : 'north' } }),
      ),
    );
    const { page, errors, context } = await openPage(browser, server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/forms/${formId}`);
    await expect.poll(() => page.getByTestId('record-total').innerText(), POLL).toBe('共 24 条');
    const firstRowCells = () => page.locator('[role="row"][data-row-index="0"] [role="gridcell"]');

    await page.getByTestId('header-amount').click();
    await expect.poll(() => page.getByTestId('header-amount').getAttribute('aria-sort'), POLL).toBe('ascending');
    await expect.poll(() => firstRowCells().nth(2).innerText(), POLL).toBe('10');
    await page.getByTestId('header-amount').click();
    await expect.poll(() => page.getByTestId('header-amount').getAttribute('aria-sort'), POLL).toBe('descending');
    await expect.poll(() => firstRowCells().nth(2).innerText(), POLL).toBe('240');
    expect(page.url()).toContain('sort=-amount');

    await page.getByRole('button', { name: '筛选' }).click();
    await page.getByRole('button', { name: /添加条件$/ }).click();
    const leaf = page.getByTestId('condition-leaf').first();
    await pickOption(page, leaf.getByLabel('字段'), '区域');
    await pickOption(page, leaf.getByLabel('值'), '华北');
    await page.getByRole('button', { name: /添加条件$/ }).click();
    const second = page.getByTestId('condition-leaf').nth(1);
    await pickOption(page, second.getByLabel('字段'), '金额');
    await pickOption(page, second.getByLabel('运算符'), '大于等于');
    await second.getByLabel('值').fill('100');
    await page.getByRole('button', { name: '应用' }).click();

    // north rows are the even ones: 100, 120, … 240 → 8 records, still sorted descending.
    await expect.poll(() => page.getByTestId('record-total').innerText(), POLL).toBe('共 8 条');
    await expect.poll(() => firstRowCells().nth(2).innerText(), POLL).toBe('240');
    await expect.poll(() => page.locator('[role="row"][data-row-index="7"] [role="gridcell"]').nth(2).innerText(), POLL).toBe('100');
    await screenshot(page, 'table-filter-sort');
    expect(errors).toEqual([]);
    await context.close();
  }, JOURNEY_TIMEOUT);

  it('scrolls a large table: only the rows in view are in the DOM, the rest load as they come into view', async () => {
    const me = account('大数据');
    const api = await Api.signUp(server.url, me);
    const { appId, formId } = await createForm(api, '流水', [
      { id: 'seq', type: 'number', label: { 'zh-CN': '序号', en: 'No.' } },
      { id: 'memo', type: 'text', label: { 'zh-CN': '摘要', en: 'Memo' } },
    ]);
    const ROWS = 1500;
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('流水');
    sheet.addRow(['序号', '摘要']);
    for (let i = 1; i <= ROWS; i++) sheet.addRow([i, `第${i}笔`]);
    const body = new FormData();
    body.append('file', new Blob([await workbook.xlsx.writeBuffer()]), 'rows.xlsx');
    const res = await fetch(`${server.url}/api/v1/forms/${formId}/import`, { method: 'POST', headers: { authorization: `Bearer ${api.token}` }, body });
    expect(res.status).toBe(201);

    const { page, errors, context } = await openPage(browser, server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/forms/${formId}?sort=seq`);
    await expect.poll(() => page.getByTestId('record-total').innerText(), POLL).toBe(`共 ${ROWS} 条`);
    const grid = page.getByTestId('records-grid');
    await expect.poll(() => grid.getAttribute('aria-rowcount'), POLL).toBe(String(ROWS + 1));
    const rendered = await grid.locator('[role="row"][data-row-index]').count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(80);

    await grid.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    const last = grid.locator(`[role="row"][data-row-index="${ROWS - 1}"]`);
    await expect.poll(() => last.innerText(), { timeout: 20_000, interval: 200 }).toContain(`第${ROWS}笔`);
    expect(await grid.locator('[role="row"][data-row-index]').count()).toBeLessThan(80);
    await screenshot(page, 'large-table-scrolled');
    expect(errors).toEqual([]);
    await context.close();
  }, JOURNEY_TIMEOUT);

  it('imports an Excel file with one bad row and shows the per-row report', async () => {
    const me = account('导入员');
    const api = await Api.signUp(server.url, me);
    const { appId, formId } = await createForm(api, '产品', [
      { id: 'sku', type: 'text', label: { 'zh-CN': '编码', en: 'SKU' }, required: true },
      { id: 'price', type: 'number', label: { 'zh-CN': '价格', en: 'Price' }, min: 0 },
    ]);
    const { default: ExcelJS } = await import('exceljs');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('产品');
    sheet.addRow(['编码', '价格']);
    sheet.addRow(['A-001', 10]);
    sheet.addRow(['A-002', -5]);
    sheet.addRow(['A-003', 30]);
    const file = join(server.dataDir, 'products.xlsx');
    await workbook.xlsx.writeFile(file);

    const { page, errors, context } = await openPage(browser, server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/forms/${formId}`);
    await page.getByRole('button', { name: '导入' }).click();
    await page.getByTestId('import-upload').locator('input[type="file"]').setInputFiles(file);
    await page.getByTestId('import-mapping').waitFor();
    await page.getByLabel('“编码”对应的字段').waitFor();
    await page.getByRole('button', { name: '开始导入' }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor();
    await report.getByText('1 处错误').waitFor();
    await expect.poll(() => report.locator('tbody tr').count(), POLL).toBe(1);
    await expect.poll(() => report.locator('tbody tr').first().innerText(), POLL).toContain('价格');
    await screenshot(page, 'import-report');
    // All or nothing by default: the good rows wait until the bad one is fixed.
    const list = await api.call<{ total: number }>('GET', `/forms/${formId}/records`);
    expect(list.total).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  }, JOURNEY_TIMEOUT);

  it('installs the template suite and opens the CRM customer list', async () => {
    const me = account('老板');
    const api = await Api.signUp(server.url, me);
    const { page, errors, context } = await openPage(browser, server.url);
    await signInWithToken(page, api.token!);
    await page.goto('/templates');
    await page.getByTestId('install-suite').click();
    await page.getByRole('dialog').getByRole('button', { name: '安装' }).click();
    await page.getByTestId('install-result').waitFor({ timeout: 30_000 });
    await page.getByTestId('install-result').getByRole('link', { name: '客户', exact: true }).click();
    await page.waitForURL(/\/apps\/[^/]+\/forms\/[^/?]+/);
    await page.getByTestId('records-grid').waitFor();
    await page.locator('[role="row"][data-row-index="0"]').waitFor();
    await screenshot(page, 'crm-customer-list');
    expect(errors).toEqual([]);
    await context.close();
  }, JOURNEY_TIMEOUT);

  it('hides a field from a role: a member in that role no longer sees it', async () => {
    const owner = account('管理员');
    const api = await Api.signUp(server.url, owner);
    const { appId, formId } = await createForm(api, '供应商', [
      { id: 'company', type: 'text', label: { 'zh-CN': '公司', en: 'Company' } },
      { id: 'cost', type: 'money', label: { 'zh-CN': '成本价', en: 'Cost' } },
    ]);
    await api.call('POST', `/forms/${formId}/records`, { data: { company: '远方供应', cost: 88 } });
    const memberEmail = uniqueEmail('sales');
    const member = await api.call<{ id: string }>('POST', '/members', { email: memberEmail, name: '销售小赵', password: 'member-pass-1' });
    await api.call('POST', '/roles', { name: '销售', memberIds: [member.id] });

    const admin = await openPage(browser, server.url);
    await signInWithToken(admin.page, api.token!);
    await admin.page.goto(`/admin/permissions?form=${formId}`);
    await admin.page.getByRole('button', { name: '新建权限组' }).click();
    const drawer = admin.page.getByRole('dialog');
    await drawer.getByLabel('权限组名称').fill('销售只读');
    await pickOption(admin.page, drawer.getByLabel('角色'), '销售');
    await drawer.getByLabel('成本价 隐藏').check();
    await drawer.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => admin.page.getByTestId('permission-groups').innerText(), POLL).toContain('销售只读');
    expect(admin.errors).toEqual([]);
    await admin.context.close();

    const { page, errors, context } = await openPage(browser, server.url);
    await page.goto('/login');
    await page.getByLabel('邮箱').fill(memberEmail);
    await page.getByLabel('密码').fill('member-pass-1');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '工作台' }).waitFor();
    await page.goto(`/apps/${appId}/forms/${formId}`);
    await page.getByTestId('header-company').waitFor();
    await expect.poll(() => page.locator('[role="row"][data-row-index="0"]').innerText(), POLL).toContain('远方供应');
    await expect.poll(() => page.getByTestId('header-cost').count(), POLL).toBe(0);
    await page.locator('[role="row"][data-row-index="0"]').click();
    await expect.poll(() => page.getByTestId('record-view').innerText(), POLL).toContain('远方供应');
    await expect.poll(() => page.getByTestId('record-view').innerText(), POLL).not.toContain('成本价');
    await screenshot(page, 'member-hidden-field');
    expect(errors).toEqual([]);
    await context.close();
  }, JOURNEY_TIMEOUT);
});
