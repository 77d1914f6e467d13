// scratch: not a test
import { startServer } from '../support/server.ts';
import { Api, launchBrowser, openPage, uniqueEmail } from './helpers.ts';

const server = await startServer();
const browser = await launchBrowser();
try {
  const owner = { email: uniqueEmail('o'), password: 'correct-horse-1', name: '管理员', tenantName: '测试公司' };
  const api = await Api.signUp(server.url, owner);
  const app = await api.call('POST', '/apps', { name: '审批应用' });
  const form = await api.call('POST', `/apps/${app.id}/forms`, { name: '报销单', fields: [{ id: 'title', type: 'text', label: '事由', required: true }, { id: 'amount', type: 'number', label: '金额' }] });
  const { page, errors } = await openPage(browser, server.url);
  await page.goto('/login');
  await page.evaluate((t) => localStorage.setItem('qiao.token', t), api.token!);
  await page.goto(`/apps/${app.id}/forms/${form.id}/workflow`);
  await page.getByTestId('workflow-designer').waitFor();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: '/tmp/scratch/designer.png' });
  console.log('errors', errors);
  await page.goto('/tasks');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: '/tmp/scratch/tasks.png' });
  console.log('errors', errors);
} finally {
  await browser.close();
  await server.stop();
}
