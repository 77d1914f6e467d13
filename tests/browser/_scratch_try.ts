// scratch: not a test
import type { Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { Api, launchBrowser, openPage, signInWithToken, uniqueEmail } from './helpers.ts';

const server = await startServer();
const browser = await launchBrowser();
async function connect(page: Page, from: string, to: string) {
  const source = await page.getByTestId(`wf-out-${from}`).boundingBox();
  const target = await page.getByTestId(`wf-in-${to}`).boundingBox();
  if (!source || !target) throw new Error(`cannot connect ${from} → ${to}`);
  await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
  await page.mouse.down();
  await page.mouse.move(source.x + source.width / 2 + 10, source.y + 30, { steps: 4 });
  await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 12 });
  const below = await page.evaluate(([x, y]) => { const el = document.elementFromPoint(x, y); return el ? el.className + ' ' + (el.getAttribute('data-testid') ?? '') : null; }, [target.x + target.width / 2, target.y + target.height / 2]);
  const before = await page.locator('.react-flow__edge').count();
  await page.mouse.up();
  await page.waitForTimeout(100);
  console.log('connect', from, to, 'below:', below, 'edges', before, '->', await page.locator('.react-flow__edge').count());
}
try {
  const api = await Api.signUp(server.url, { email: uniqueEmail('o'), password: 'correct-horse-1', name: '管理员', tenantName: '测试公司' });
  const app = await api.call('POST', '/apps', { name: '审批应用' });
  const form = await api.call('POST', `/apps/${app.id}/forms`, { name: '报销单', fields: [{ id: 'title', type: 'text', label: '事由', required: true }, { id: 'amount', type: 'number', label: '金额' }] });
  const { page, errors } = await openPage(browser, server.url);
  await signInWithToken(page, api.token!);
  await page.goto(`/apps/${app.id}/forms/${form.id}/workflow`);
  await page.getByTestId('wf-node-end').waitFor();
  {
    const a = (await page.getByTestId('wf-out-start').boundingBox())!;
    const b = (await page.getByTestId('wf-in-end').boundingBox())!;
    await page.mouse.click((a.x + a.width / 2 + b.x + b.width / 2) / 2, (a.y + a.height / 2 + b.y + b.height / 2) / 2);
    await page.getByTestId('wf-edge-properties').getByRole('button', { name: '删除连线' }).click();
  }
  for (const [type, x, y] of [['approval', 120, 120], ['branch', 420, 120], ['parallel', 120, 300], ['approval', 420, 300], ['approval', 120, 480], ['join', 420, 480]] as const) {
    await page.getByTestId(`wf-palette-${type}`).dragTo(page.getByTestId('wf-canvas'), { targetPosition: { x, y } });
  }
  const tidy = async () => { await page.getByRole('button', { name: '自动布局' }).click(); await page.waitForTimeout(400); };
  await tidy();
  await connect(page, 'start', 'approval_1');
  await connect(page, 'approval_1', 'branch_1');
  await tidy();
  await connect(page, 'branch_1', 'parallel_1');
  await connect(page, 'branch_1', 'end');
  await tidy();
  await page.screenshot({ path: '/tmp/scratch/s1.png' });
  await connect(page, 'parallel_1', 'approval_2');
  await connect(page, 'approval_2', 'join_1');
  await page.screenshot({ path: '/tmp/scratch/s2.png' });
  await connect(page, 'join_1', 'end');
  await page.screenshot({ path: '/tmp/scratch/s3.png' });
  console.log('errors', errors);
} finally {
  await browser.close();
  await server.stop();
}
