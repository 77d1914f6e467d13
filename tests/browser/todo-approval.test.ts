// The to-do center and approval page (issue 9) in real Chromium against the real server: one member submits, another
// approves from the to-do list (which updates by itself when the task arrives), send back and resubmit, withdraw.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Api, openPage, screenshot, signInWithToken, uniqueEmail, useBrowserSuite } from './helpers.ts';

const TIMEOUT = 120_000;
const POLL = { timeout: 10_000, interval: 100 };
const suite = useBrowserSuite();

interface Person {
  id: string;
  name: string;
  api: Api;
}

/** A tenant with an applicant and an approver, and an expense form whose flow is: submit → 经理审批 → end. */
async function setUp() {
  const owner = await Api.signUp(suite.server.url, { email: uniqueEmail('todo'), password: 'correct-horse-1', name: '老板', tenantName: '待办公司' });
  const me = await owner.call<{ tenant: { id: string } }>('GET', '/auth/me');
  const person = async (name: string): Promise<Person> => {
    const email = uniqueEmail('member');
    const created = await owner.call<{ id: string }>('POST', '/members', { email, name, password: 'member-password-1' });
    const login = await new Api(suite.server.url).call<{ token: string }>('POST', '/auth/login', { email, password: 'member-password-1', tenantId: me.tenant.id });
    return { id: created.id, name, api: new Api(suite.server.url, login.token) };
  };
  const applicant = await person('张三');
  const approver = await person('李四');
  const app = await owner.call<{ id: string }>('POST', '/apps', { name: '财务' });
  const form = await owner.call<{ id: string }>('POST', `/apps/${app.id}/forms`, {
    name: '报销单',
    fields: [
      { id: 'title', type: 'text', label: { 'zh-CN': '事由', en: 'Reason' }, required: true },
      { id: 'amount', type: 'number', label: { 'zh-CN': '金额', en: 'Amount' } },
      { id: 'note', type: 'textarea', label: { 'zh-CN': '备注', en: 'Note' } },
    ],
  });
  await owner.call('POST', `/forms/${form.id}/permission-groups`, { name: '员工', grantees: { memberIds: [applicant.id, approver.id] }, actions: ['submit', 'view'], scope: 'own' });
  await owner.call('PUT', `/forms/${form.id}/workflow`, {
    nodes: [
      { id: 'start', type: 'start', data: { name: '提交申请' }, position: { x: 0, y: 0 } },
      { id: 'manager', type: 'approval', data: { name: '经理审批', assignees: [{ kind: 'member', ids: [approver.id] }], mode: 'or', allow: ['sendBack', 'transfer', 'addSigner'], fieldPermissions: { note: 'edit' } }, position: { x: 0, y: 150 } },
      { id: 'end', type: 'end', data: { name: '结束' }, position: { x: 0, y: 300 } },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'manager' },
      { id: 'e2', source: 'manager', target: 'end' },
    ],
    settings: { withdraw: 'untouched', sendBackReturn: 'rerun' },
  });
  await owner.call('POST', `/forms/${form.id}/workflow/publish`);
  return { owner, applicant, approver, appId: app.id, formId: form.id };
}

async function signedIn(person: Person) {
  const tracked = await openPage(suite.browser, suite.server.url);
  await signInWithToken(tracked.page, person.api.token!);
  return tracked;
}

const row = (page: Page, text: string) => page.getByTestId('task-row').filter({ hasText: text });

describe('to-do center and approval', () => {
  it('submits a record as one member and approves it as another from the to-do center, which updates by itself', async () => {
    const { applicant, approver, appId, formId } = await setUp();
    const b = await signedIn(approver);
    await b.page.goto('/tasks');
    await expect.poll(() => b.page.getByTestId('tasks-live').getAttribute('data-live'), POLL).toBe('true');
    await b.page.getByTestId('tasks-table-todo').getByText('没有待办事项').waitFor();

    const a = await signedIn(applicant);
    await a.page.goto(`/apps/${appId}/forms/${formId}/new`);
    await a.page.getByLabel('事由').fill('出差报销');
    await a.page.getByLabel('金额').fill('880');
    await a.page.getByTestId('submit-record').click();
    await a.page.getByText('提交成功').first().waitFor();

    // No reload: the approver's list learns about the task from the server's event stream.
    const arrived = row(b.page, '经理审批');
    await arrived.waitFor(POLL);
    expect(await arrived.innerText()).toMatch(/报销单[\s\S]*经理审批[\s\S]*张三/);
    await expect.poll(() => b.page.getByTestId('tasks-count-todo').innerText(), POLL).toBe('1');

    await arrived.click();
    await b.page.waitForURL(/\/tasks\/[^/]+$/);
    await b.page.getByTestId('process-view').waitFor();
    // The record as this node allows: the reason read-only, the note editable; the flow shows where it waits.
    expect(await b.page.getByTestId('task-field-title').getAttribute('data-mode')).toBe('read');
    expect(await b.page.getByTestId('task-field-title').innerText()).toContain('出差报销');
    expect(await b.page.getByTestId('task-field-note').getAttribute('data-mode')).toBe('edit');
    await expect.poll(() => b.page.getByTestId('wf-node-manager').getAttribute('data-current'), POLL).toBe('true');
    await b.page.getByTestId('process-log').getByText('张三 发起了申请').waitFor();
    for (const action of ['approve', 'reject', 'sendBack', 'transfer', 'addSigner', 'comment']) await b.page.getByTestId(`task-action-${action}`).waitFor();

    await b.page.getByLabel('备注').fill('已核对发票');
    await b.page.getByLabel('审批意见').fill('同意报销');
    await screenshot(b.page, 'todo-approval-page');
    await b.page.getByTestId('task-action-approve').click();
    await b.page.waitForURL(/\/tasks$/);
    await b.page.getByTestId('tasks-table-todo').getByText('没有待办事项').waitFor();
    await expect.poll(() => b.page.getByTestId('tasks-count-done').innerText(), POLL).toBe('1');

    const records = await applicant.api.call<{ items: { data: Record<string, unknown>; instance: { id: string; status: string } }[] }>('GET', `/forms/${formId}/records`);
    expect(records.items).toHaveLength(1);
    expect(records.items[0].data).toMatchObject({ title: '出差报销', amount: 880, note: '已核对发票' });
    const instance = await applicant.api.call<{ status: string; log: { action?: string; comment?: string }[] }>('GET', `/instances/${records.items[0].instance.id}`);
    expect(instance.status).toBe('approved');
    expect(instance.log.some((e) => e.action === 'approve' && e.comment === '同意报销')).toBe(true);

    // The applicant sees the outcome under 我发起的.
    await a.page.goto('/tasks?box=initiated');
    await row(a.page, '已通过').waitFor();
    await screenshot(a.page, 'todo-initiated');
    await b.page.getByTestId('tasks-tab-done').click();
    await row(b.page, '已同意').waitFor();
    await screenshot(b.page, 'todo-center-done');
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    await a.context.close();
    await b.context.close();
  }, TIMEOUT);

  it('sends a request back to the initiator, who changes it and submits again', async () => {
    const { applicant, approver, formId } = await setUp();
    await applicant.api.call('POST', `/forms/${formId}/records`, { data: { title: '团建', amount: 5000 } });

    const b = await signedIn(approver);
    await b.page.goto('/tasks');
    await row(b.page, '经理审批').click();
    await b.page.getByTestId('process-view').waitFor();
    await b.page.getByLabel('审批意见').fill('预算太高，请调整');
    await b.page.getByTestId('task-action-sendBack').click();
    const dialog = b.page.getByRole('dialog', { name: '回退' });
    await dialog.getByText('提交申请').waitFor(); // the only earlier node
    await dialog.getByRole('button', { name: '回退' }).click();
    await b.page.waitForURL(/\/tasks$/);

    const a = await signedIn(applicant);
    await a.page.goto('/tasks');
    await row(a.page, '提交申请').click();
    await a.page.getByTestId('resubmit-hint').waitFor();
    await a.page.getByTestId('process-log').getByText('预算太高，请调整').waitFor();
    expect(await a.page.getByTestId('task-field-amount').getAttribute('data-mode')).toBe('edit');
    await a.page.getByLabel('金额').fill('3000');
    await screenshot(a.page, 'todo-resubmit');
    await a.page.getByTestId('task-action-submit').click();
    await a.page.waitForURL(/\/tasks$/);

    await b.page.goto('/tasks');
    await row(b.page, '经理审批').click();
    await b.page.getByTestId('process-view').waitFor();
    expect(await b.page.getByTestId('task-field-amount').innerText()).toContain('3000');
    await b.page.getByTestId('task-action-approve').click();
    await b.page.waitForURL(/\/tasks$/);

    const records = await applicant.api.call<{ items: { data: Record<string, unknown>; instance: { id: string; status: string } }[] }>('GET', `/forms/${formId}/records`);
    expect(records.items[0].data.amount).toBe(3000);
    const instance = await applicant.api.call<{ status: string; log: { action?: string }[] }>('GET', `/instances/${records.items[0].instance.id}`);
    expect(instance.status).toBe('approved');
    expect(instance.log.map((e) => e.action)).toEqual(expect.arrayContaining(['sendBack', 'submit', 'approve']));
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    await a.context.close();
    await b.context.close();
  }, TIMEOUT);

  it('lets the initiator withdraw a request nobody has acted on', async () => {
    const { applicant, approver, formId } = await setUp();
    await applicant.api.call('POST', `/forms/${formId}/records`, { data: { title: '买书', amount: 99 } });
    const a = await signedIn(applicant);
    await a.page.goto('/tasks?box=initiated');
    await row(a.page, '审批中').click();
    await a.page.waitForURL(/\/instances\/[^/]+$/);
    await a.page.getByTestId('task-action-urge').waitFor();
    await a.page.getByTestId('instance-withdraw').click();
    await a.page.getByRole('tooltip').getByRole('button', { name: '撤回' }).click();
    await expect.poll(() => a.page.getByTestId('instance-status').innerText(), POLL).toBe('已撤回');
    const todo = await approver.api.call<{ total: number }>('GET', '/tasks?box=todo');
    expect(todo.total).toBe(0);
    await screenshot(a.page, 'todo-withdrawn');
    expect(a.errors).toEqual([]);
    await a.context.close();
  }, TIMEOUT);
});
