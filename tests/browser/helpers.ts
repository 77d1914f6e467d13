import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, onTestFailed } from 'vitest';
import { repoRoot, startServer, type SpawnedServer } from '../support/server.ts';

export const SCREENSHOT_DIR = join(repoRoot, 'test-artifacts', 'screenshots');

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium not found: install it with `apt-get install -y chromium` (CI does this in .ci/run)');
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

export interface TrackedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far; a journey ends by asserting there are none. */
  errors: string[];
}

/** Requests the app makes on purpose that may fail without being a bug (the to-do badge before workflows exist). */
const TOLERATED = [/\/api\/v1\/tasks/];

/** The page a journey opened last, so a failing journey can leave a screenshot of where it stopped. */
export let lastOpened: TrackedPage | null = null;

export async function openPage(browser: Browser, baseURL: string, locale: 'zh-CN' | 'en' = 'zh-CN'): Promise<TrackedPage> {
  const context = await browser.newContext({ baseURL, locale, viewport: { width: 1400, height: 900 } });
  if (locale === 'en') await context.addInitScript(() => localStorage.setItem('qiao.lang', 'en'));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const url = msg.location().url ?? '';
    // A failed API call is reported by the app itself (error states, field errors); the browser's own log line about
    // it is noise. A failed asset load is not: it stays an error.
    if (/Failed to load resource/.test(text) && (TOLERATED.some((re) => re.test(url)) || (/\/api\/v1\//.test(url) && /status of 4\d\d/.test(text)))) return;
    errors.push(`console: ${text}`);
  });
  page.setDefaultTimeout(15_000);
  lastOpened = { context, page, errors };
  return lastOpened;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

export interface Account {
  email: string;
  password: string;
  name: string;
  tenantName: string;
  token?: string;
}

/** Signs up through the real form, as a new user would. */
export async function signUpThroughUi(page: Page, account: Account): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('姓名').fill(account.name);
  await page.getByLabel('邮箱').fill(account.email);
  await page.getByLabel('密码').fill(account.password);
  await page.getByLabel('企业/团队名称').fill(account.tenantName);
  await page.getByRole('button', { name: '创建账号' }).click();
  await page.getByRole('heading', { name: '工作台' }).waitFor();
}

/** Direct API calls for the set-up steps a journey is not about. */
export class Api {
  constructor(
    readonly baseURL: string,
    public token?: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseURL}/api/v1${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return parsed as T;
  }

  static async signUp(baseURL: string, account: Account): Promise<Api> {
    const api = new Api(baseURL);
    const answer = await api.call<{ token: string }>('POST', '/auth/signup', account);
    api.token = answer.token;
    account.token = answer.token;
    return api;
  }
}

/** Puts a token into the browser's storage so a journey can start signed in. */
export async function signInWithToken(page: Page, token: string): Promise<void> {
  await page.goto('/login');
  await page.evaluate((t) => localStorage.setItem('qiao.token', t), token);
}

/** Opens an antd select (by its labelled combobox) and clicks the option with that exact text. */
export async function pickOption(page: Page, combobox: ReturnType<Page['getByLabel']>, option: string): Promise<void> {
  await combobox.click();
  const item = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option').filter({ hasText: new RegExp(`^${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
  await item.first().click();
}

export interface BrowserSuite {
  server: SpawnedServer;
  browser: Browser;
}

/**
 * The set-up every browser test file shares: build the web app if stale, start the real server and Chromium once per
 * file, close both afterwards, and on a failed test save a screenshot and print the page's console errors.
 */
export function useBrowserSuite(): BrowserSuite {
  const suite = {} as BrowserSuite;
  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-web.mjs'), '--if-stale'], { cwd: repoRoot, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`web build failed:\n${build.stdout}\n${build.stderr}`);
    [suite.server, suite.browser] = await Promise.all([startServer(), launchBrowser()]);
  }, 180_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  beforeEach((ctx) => {
    onTestFailed(async () => {
      const current = lastOpened;
      if (!current || current.page.isClosed()) return;
      await screenshot(current.page, `failed-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => undefined);
      if (current.errors.length) console.error(`browser errors in "${ctx.task.name}":\n${current.errors.join('\n')}`);
    });
  });
  return suite;
}
