// The workflow designer (issue 9) in real Chromium against the real server: a flow is drawn by dragging nodes from
// the palette and connecting their handles, the engine's validation shows on the canvas, and publishing works.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Api, openPage, pickOption, screenshot, signInWithToken, uniqueEmail, useBrowserSuite } from './helpers.ts';

const TIMEOUT = 120_000;
/** Screens update asynchronously: assertions on them retry until they hold or this runs out. */
const POLL = { timeout: 10_000, interval: 100 };
const suite = useBrowserSuite();

async function setUp() {
  const api = await Api.signUp(suite.server.url, { email: uniqueEmail('wf'), password: 'correct-horse-1', name: '流程管理员', tenantName: '流程公司' });
  const app = await api.call<{ id: string }>('POST', '/apps', { name: '行政' });
  const form = await api.call<{ id: string }>('POST', `/apps/${app.id}/forms`, {
    name: '采购申请',
    fields: [
      { id: 'title', type: 'text', label: { 'zh-CN': '事由', en: 'Reason' }, required: true },
      { id: 'amount', type: 'number', label: { 'zh-CN': '金额', en: 'Amount' } },
      { id: 'note', type: 'textarea', label: { 'zh-CN': '备注', en: 'Note' } },
    ],
  });
  return { api, appId: app.id, formId: form.id };
}

const node = (page: Page, id: string) => page.getByTestId(`wf-node-${id}`);

/** Drops a palette item on the canvas at (x, y) relative to the canvas' top-left corner (HTML5 drag and drop). */
async function dropNode(page: Page, type: string, x: number, y: number) {
  await page.getByTestId(`wf-palette-${type}`).dragTo(page.getByTestId('wf-canvas'), { targetPosition: { x, y } });
}

/** Tidies the canvas so every node is in view, apart from the others. */
async function tidy(page: Page) {
  await page.getByRole('button', { name: '自动布局' }).click();
  await page.waitForTimeout(400); // the fit-view animation
}

/** Connects two nodes by dragging from the source's bottom handle to the target's top handle. */
async function connect(page: Page, from: string, to: string) {
  const source = await page.getByTestId(`wf-out-${from}`).boundingBox();
  const target = await page.getByTestId(`wf-in-${to}`).boundingBox();
  if (!source || !target) throw new Error(`cannot connect ${from} → ${to}`);
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(source.x + source.width / 2 + 10, source.y + 30, { steps: 4 });
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** Clicks the middle of the straight edge between two nodes (an SVG path has no box of its own to click). */
async function clickBetween(page: Page, from: string, to: string) {
  const a = await page.getByTestId(`wf-out-${from}`).boundingBox();
  const b = await page.getByTestId(`wf-in-${to}`).boundingBox();
  if (!a || !b) throw new Error(`no edge ${from} → ${to}`);
  await page.mouse.click((a.x + a.width / 2 + b.x + b.width / 2) / 2, (a.y + a.height / 2 + b.y + b.height / 2) / 2);
}

async function checkState(page: Page): Promise<string> {
  const status = page.getByTestId('wf-check-status');
  await expect.poll(async () => status.getAttribute('data-state'), { timeout: 10_000 }).not.toBe('checking');
  return (await status.getAttribute('data-state')) ?? '';
}

describe('workflow designer', () => {
  it('draws an approval, an exclusive branch with a condition and a parallel pair by dragging, shows a validation error and publishes', async () => {
    const { api, appId, formId } = await setUp();
    const { page, errors, context } = await openPage(suite.browser, suite.server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/forms/${formId}/workflow`);
    await page.getByTestId('workflow-designer').waitFor();
    // One canvas node per definition node: a new form starts with submit → end.
    await node(page, 'start').waitFor();
    await node(page, 'end').waitFor();
    expect(await checkState(page)).toBe('valid');

    // The direct edge goes: the new steps come in between.
    await clickBetween(page, 'start', 'end');
    await page.getByTestId('wf-edge-properties').getByRole('button', { name: '删除连线' }).click();
    await expect.poll(() => page.getByTestId('rf__edge-e_start_end').count(), POLL).toBe(0);

    for (const [type, x, y] of [
      ['approval', 120, 120],
      ['branch', 420, 120],
      ['parallel', 120, 300],
      ['approval', 420, 300],
      ['approval', 120, 480],
      ['join', 420, 480],
    ] as const) {
      await dropNode(page, type, x, y);
    }
    for (const id of ['approval_1', 'branch_1', 'parallel_1', 'approval_2', 'approval_3', 'join_1']) await node(page, id).waitFor();
    await tidy(page);

    await connect(page, 'start', 'approval_1');
    await connect(page, 'approval_1', 'branch_1');
    await tidy(page);
    await connect(page, 'branch_1', 'parallel_1');
    await connect(page, 'branch_1', 'end');
    await tidy(page);
    await connect(page, 'parallel_1', 'approval_2');
    await connect(page, 'approval_2', 'join_1');
    await connect(page, 'join_1', 'end');
    await tidy(page);

    // approval_3 is still on its own: the engine says so on the node, and publishing is off.
    expect(await checkState(page)).toBe('invalid');
    await expect.poll(() => node(page, 'approval_3').getAttribute('data-invalid'), POLL).toBe('true');
    await expect.poll(() => node(page, 'approval_3').innerText(), POLL).toContain('没有连接到流程中');
    expect(await page.getByTestId('wf-publish').isDisabled()).toBe(true);
    await screenshot(page, 'workflow-designer-invalid');

    // Fix it: the parallel pair, then the branch's condition and default edge.
    await connect(page, 'parallel_1', 'approval_3');
    await connect(page, 'approval_3', 'join_1');
    await tidy(page);
    await expect.poll(() => node(page, 'approval_3').getAttribute('data-invalid'), POLL).toBeNull();

    const edges = await api.call<{ draft: null }>('GET', `/forms/${formId}/workflow`);
    expect(edges.draft).toBeNull(); // nothing saved yet: all of this is in the browser

    // The branch's two edges carry labels ("未设置条件") until they have a condition or are the default.
    const branchEdges = page.locator('[data-testid^="wf-edge-label-"]', { hasText: '未设置条件' });
    await expect.poll(() => branchEdges.count(), POLL).toBe(2);
    await page.locator('.qiao-flow-edge-label', { hasText: '未设置条件' }).first().click();
    const panel = page.getByTestId('wf-edge-properties');
    await panel.waitFor();
    const edgeText = await panel.innerText();
    const toParallel = edgeText.includes('并行分支');
    // Whichever edge was picked first, the one to the parallel split gets the condition, the other is the default.
    if (!toParallel) {
      await panel.getByText('默认分支（其他情况）').click();
      await page.locator('.qiao-flow-edge-label', { hasText: '未设置条件' }).first().click();
      await page.getByTestId('wf-edge-properties').getByText('从「条件分支」到「并行分支」').waitFor();
    }
    const conditionPanel = page.getByTestId('wf-edge-properties');
    await conditionPanel.getByRole('button', { name: /添加条件$/ }).click();
    await pickOption(page, conditionPanel.getByLabel('字段'), '金额');
    await pickOption(page, conditionPanel.getByLabel('运算符'), '大于等于');
    await conditionPanel.getByLabel('值').fill('1000');
    if (toParallel) {
      await page.locator('.qiao-flow-edge-label', { hasText: '未设置条件' }).first().click();
      await page.getByTestId('wf-edge-properties').getByText('默认分支（其他情况）').click();
    }
    await page.locator('.qiao-flow-edge-label', { hasText: '金额 大于等于 1000' }).waitFor();
    await page.locator('.qiao-flow-edge-label:not(.invalid)', { hasText: '默认' }).waitFor();

    // Who approves: the initiator's supervisor on the first step (chosen in the property panel).
    await node(page, 'approval_1').click();
    const props = page.getByTestId('wf-node-properties');
    await props.getByLabel('节点名称').fill('主管审批');
    await props.getByRole('button', { name: '添加处理人' }).click();
    await pickOption(page, props.getByLabel('处理人类型 1'), '发起人的主管');
    await props.getByText('会签：须所有人同意').click();
    await props.getByText('回退', { exact: true }).click();
    await node(page, 'approval_1').getByText('主管审批', { exact: true }).waitFor();

    expect(await checkState(page)).toBe('valid');
    await page.getByTestId('wf-publish').click();
    await page.getByTestId('wf-publish-result').getByText('已发布版本 v1').waitFor();
    await page.getByTestId('wf-published-version').getByText('已发布 v1').waitFor();

    const saved = await api.call<{ published: { version: number; definition: { nodes: { id: string; type: string; data: Record<string, unknown> }[]; edges: { source: string; target: string; data?: Record<string, unknown> }[] } } }>('GET', `/forms/${formId}/workflow`);
    expect(saved.published.version).toBe(1);
    const def = saved.published.definition;
    expect(def.nodes.map((n) => n.id).sort()).toEqual(['approval_1', 'approval_2', 'approval_3', 'branch_1', 'end', 'join_1', 'parallel_1', 'start']);
    expect(await page.locator('.react-flow__node').count()).toBe(def.nodes.length);
    const first = def.nodes.find((n) => n.id === 'approval_1')!;
    expect(first.data).toMatchObject({ name: '主管审批', assignees: [{ kind: 'supervisor', level: 1 }], mode: 'all', allow: ['sendBack'] });
    expect(def.edges.find((e) => e.source === 'branch_1' && e.target === 'parallel_1')?.data).toEqual({ condition: { and: [{ field: 'amount', op: 'gte', value: 1000 }] } });
    expect(def.edges.find((e) => e.source === 'branch_1' && e.target === 'end')?.data).toEqual({ default: true });
    expect(def.edges.filter((e) => e.source === 'parallel_1').map((e) => e.target).sort()).toEqual(['approval_2', 'approval_3']);

    await screenshot(page, 'workflow-designer-published');
    expect(errors).toEqual([]);
    await context.close();
  }, TIMEOUT);

  it('copies, pastes, deletes, undoes and redoes, and shows an older version', async () => {
    const { api, appId, formId } = await setUp();
    // Version 1 is a plain flow published through the API; the designer opens on it.
    await api.call('PUT', `/forms/${formId}/workflow`, {
      nodes: [
        { id: 'start', type: 'start', data: { name: '提交' } },
        { id: 'boss', type: 'approval', data: { name: '老板审批', assignees: [{ kind: 'initiator' }] } },
        { id: 'end', type: 'end', data: { name: '结束' } },
      ],
      edges: [
        { id: 'a', source: 'start', target: 'boss' },
        { id: 'b', source: 'boss', target: 'end' },
      ],
    });
    await api.call('POST', `/forms/${formId}/workflow/publish`);
    const { page, errors, context } = await openPage(suite.browser, suite.server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/forms/${formId}/workflow`);
    await node(page, 'boss').waitFor();
    await page.getByTestId('wf-published-version').getByText('已发布 v1').waitFor();

    await node(page, 'boss').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await node(page, 'approval_1').waitFor();
    // The copy is on its own: the engine flags it.
    await expect.poll(() => node(page, 'approval_1').getAttribute('data-invalid'), POLL).toBe('true');
    await page.keyboard.press('Delete');
    await expect.poll(() => node(page, 'approval_1').count(), POLL).toBe(0);
    await page.getByRole('button', { name: '撤销 (Ctrl+Z)' }).click();
    await node(page, 'approval_1').waitFor();
    await page.keyboard.press('Control+z');
    await expect.poll(() => node(page, 'approval_1').count(), POLL).toBe(0);
    await page.keyboard.press('Control+Shift+z');
    await node(page, 'approval_1').waitFor();
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => node(page, 'approval_1').count(), POLL).toBe(0);
    expect(await checkState(page)).toBe('valid');

    // The minimap and zoom controls are there; fit view keeps every node in sight.
    await page.locator('.react-flow__minimap').waitFor();
    await page.getByRole('button', { name: '适应画布' }).click();

    await page.getByRole('button', { name: '版本历史' }).click();
    await page.getByRole('button', { name: '查看版本 v1' }).click();
    const dialog = page.getByRole('dialog', { name: '版本 v1' });
    await dialog.getByTestId('wf-node-boss').waitFor();
    await screenshot(page, 'workflow-version-history');
    expect(errors).toEqual([]);
    await context.close();
  }, TIMEOUT);
});
