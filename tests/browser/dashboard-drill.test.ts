// Dashboards (issue 9) in real Chromium against the real server: the CRM sales funnel of the template suite renders,
// a funnel segment opens the records behind it, the filter bar narrows every widget, and an admin adds a widget.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Api, openPage, pickOption, screenshot, signInWithToken, uniqueEmail, useBrowserSuite } from './helpers.ts';

const TIMEOUT = 150_000;
const POLL = { timeout: 10_000, interval: 100 };
const suite = useBrowserSuite();

interface Row {
  [key: string]: unknown;
}

/** A tenant with the whole template suite installed; answers the CRM app and its sales funnel dashboard. */
async function installSuite() {
  const api = await Api.signUp(suite.server.url, { email: uniqueEmail('dash'), password: 'correct-horse-1', name: '老板', tenantName: '看板公司' });
  const result = await api.call<{ apps: { id: string; key: string }[]; forms: Record<string, string> }>('POST', '/templates/suite/install', {});
  const crm = result.apps.find((a) => a.key === 'crm');
  if (!crm) throw new Error(`no crm app in ${JSON.stringify(result.apps)}`);
  const dashboards = await api.call<{ items: { id: string; name: { 'zh-CN'?: string } | string }[] }>('GET', `/apps/${crm.id}/dashboards`);
  const funnel = dashboards.items.find((d) => (typeof d.name === 'string' ? d.name : d.name['zh-CN']) === '销售漏斗');
  if (!funnel) throw new Error('the CRM sales funnel dashboard was not installed');
  return { api, appId: crm.id, dashboardId: funnel.id, opportunityFormId: result.forms['crm.opportunity'] };
}

/** The number a card or total shows (¥1,234.00 → 1234). */
const amount = (s: string) => Number(s.replace(/[^0-9.]/g, ''));

/** The segment label of a funnel stage (the legend repeats the name further down: the topmost one is the segment). */
async function funnelSegment(page: Page, label: string) {
  const texts = page.getByTestId('chart-funnel').locator('text').filter({ hasText: new RegExp(`^${label}$`) });
  await texts.first().waitFor();
  const boxes = await texts.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().top));
  return texts.nth(boxes.indexOf(Math.min(...boxes)));
}

describe('dashboards', () => {
  it('renders the CRM sales funnel of the template suite and clicks through from a segment to its records', async () => {
    const { api, appId, dashboardId, opportunityFormId } = await installSuite();
    const data = await api.call<{ widgets: Record<string, { rows: Row[] }> }>('POST', `/dashboards/${dashboardId}/data`, {});
    const stages = data.widgets.funnel.rows;
    expect(stages.length).toBeGreaterThan(1);
    const biggest = [...stages].sort((a, b) => (b.count as number) - (a.count as number))[0];
    const form = await api.call<{ fields: { id: string; options?: { value: string; label: { 'zh-CN': string } | string }[] }[] }>('GET', `/forms/${opportunityFormId}`);
    const option = form.fields.find((f) => f.id === 'stage')!.options!.find((o) => o.value === biggest.stage)!;
    const stageLabel = typeof option.label === 'string' ? option.label : option.label['zh-CN'];

    const { page, errors, context } = await openPage(suite.browser, suite.server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/dashboards/${dashboardId}`);
    await page.getByRole('heading', { name: '销售漏斗' }).waitFor();
    for (const id of ['funnel', 'pipeline', 'won', 'byOwner', 'leadSources', 'customersByLevel']) await page.getByTestId(`widget-${id}`).waitFor();
    await page.getByTestId('chart-funnel').locator('svg path[fill^="#"]').first().waitFor();
    await page.getByTestId('chart-leadSources').locator('svg path[fill^="#"]').first().waitFor();
    await page.getByTestId('chart-customersByLevel').locator('svg path[fill^="#"]').first().waitFor();
    const pipeline = data.widgets.pipeline.rows[0].sum_amount as number;
    await expect.poll(async () => amount(await page.getByTestId('widget-pipeline').getByTestId('metric-value').innerText()), POLL).toBe(pipeline);
    await screenshot(page, 'dashboard-crm-funnel');

    await (await funnelSegment(page, stageLabel)).click();
    await page.waitForURL(new RegExp(`/apps/[^/]+/forms/${opportunityFormId}\\?filter=`));
    const filter = JSON.parse(new URL(page.url()).searchParams.get('filter')!) as { and: Row[] };
    // The widget's own filter (lost deals left out) and the clicked stage.
    expect(filter.and).toEqual(expect.arrayContaining([{ field: 'stage', op: 'ne', value: 'lost' }, { field: 'stage', op: 'eq', value: biggest.stage }]));
    await expect.poll(async () => amount(await page.getByTestId('record-total').innerText()), POLL).toBe(biggest.count);
    await page.locator('[role="row"][data-row-index="0"]').waitFor();
    await screenshot(page, 'dashboard-drill-records');
    expect(errors).toEqual([]);
    await context.close();
  }, TIMEOUT);

  it('narrows every widget with the dashboard-wide filter bar', async () => {
    const { api, appId, dashboardId, opportunityFormId } = await installSuite();
    const me = await api.call<{ user: { id: string } }>('GET', '/auth/me');
    const other = await api.call<{ id: string }>('POST', '/members', { email: uniqueEmail('sales'), name: '王五', password: 'member-password-1' });
    // A big deal that belongs to someone else: filtering on the boss leaves it out.
    const list = await api.call<{ items: { data: { customer: string } }[] }>('GET', `/forms/${opportunityFormId}/records?limit=1`);
    const customerId = list.items[0].data.customer;
    await api.call('POST', `/forms/${opportunityFormId}/records`, { data: { name: '王五的大单', customer: customerId, amount: 1_000_000, stage: 'needs', owner: other.id } });
    const everyone = await api.call<{ widgets: Record<string, { rows: Row[] }> }>('POST', `/dashboards/${dashboardId}/data`, {});
    const mine = await api.call<{ widgets: Record<string, { rows: Row[] }> }>('POST', `/dashboards/${dashboardId}/data`, { filter: { and: [{ field: 'owner', op: 'in', value: [me.user.id] }] } });
    const before = everyone.widgets.pipeline.rows[0].sum_amount as number;
    const after = mine.widgets.pipeline.rows[0].sum_amount as number;
    expect(before - after).toBe(1_000_000);

    const { page, errors, context } = await openPage(suite.browser, suite.server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/dashboards/${dashboardId}`);
    const metric = page.getByTestId('widget-pipeline').getByTestId('metric-value');
    await expect.poll(async () => amount(await metric.innerText()), POLL).toBe(before);
    await pickOption(page, page.getByTestId('dashboard-filters').getByLabel('负责人'), '老板');
    await expect.poll(async () => amount(await metric.innerText()), POLL).toBe(after);
    await screenshot(page, 'dashboard-filtered');
    expect(errors).toEqual([]);
    await context.close();
  }, TIMEOUT);

  it('lets an admin add a widget to a new dashboard in the editor', async () => {
    const { api, appId, opportunityFormId } = await installSuite();
    const created = await api.call<{ id: string }>('POST', `/apps/${appId}/dashboards`, { name: '我的看板' });
    const { page, errors, context } = await openPage(suite.browser, suite.server.url);
    await signInWithToken(page, api.token!);
    await page.goto(`/apps/${appId}/dashboards/${created.id}?edit=1`);
    await page.getByTestId('dashboard-add-widget').click();
    const editor = page.getByTestId('widget-editor');
    await editor.getByText('饼图', { exact: true }).click();
    await pickOption(page, editor.getByLabel('数据来源'), '客户管理 CRM / 商机');
    await editor.getByLabel('标题（中文）').fill('商机阶段占比');
    // The source's first category field comes preselected; the group is chosen explicitly all the same.
    await pickOption(page, editor.getByLabel('分组（维度） 1'), '销售阶段');
    await page.getByRole('dialog').getByRole('button', { name: '保存' }).click();
    const widget = page.getByTestId('widget-w1');
    await widget.getByText('商机阶段占比').waitFor();
    await widget.locator('svg path[fill^="#"]').first().waitFor();
    await screenshot(page, 'dashboard-editor');

    const saved = await api.call<{ widgets: Row[] }>('GET', `/dashboards/${created.id}`);
    expect(saved.widgets).toEqual([
      expect.objectContaining({ id: 'w1', type: 'pie', title: '商机阶段占比', source: { formId: opportunityFormId }, groupBy: [{ field: 'stage' }], metrics: [{ op: 'count' }] }),
    ]);
    expect(errors).toEqual([]);
    await context.close();
  }, TIMEOUT);
});
