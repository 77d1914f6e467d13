// Benchmark (not a test): time to the `load` event of the first screen with a cold browser cache against a running
// server. Run: node --import tsx tests/browser/measure-load.ts  (builds web/dist first if it is stale).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, startServer } from '../support/server.ts';
import { Api, launchBrowser, uniqueEmail } from './helpers.ts';

const RUNS = 7;

async function main() {
  spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-web.mjs'), '--if-stale'], { cwd: repoRoot, stdio: 'inherit' });
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const api = await Api.signUp(server.url, { email: uniqueEmail('bench'), password: 'bench-password-1', name: 'Bench', tenantName: 'Bench' });
    const screens = { login: '/login', workbench: '/' };
    for (const [name, path] of Object.entries(screens)) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // A new context has an empty HTTP cache: every run is a cold load.
        const context = await browser.newContext();
        if (name !== 'login') await context.addInitScript((token) => localStorage.setItem('qiao.token', token), api.token!);
        const page = await context.newPage();
        await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
        const loadEnd = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
        times.push(loadEnd);
        await context.close();
      }
      times.sort((a, b) => a - b);
      console.log(`${name}: load event p50 ${times[Math.floor(RUNS / 2)].toFixed(0)} ms, max ${times[RUNS - 1].toFixed(0)} ms (cold cache, ${RUNS} runs)`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
