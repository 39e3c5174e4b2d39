// Browser tool: Playwright driving Debian's chromium, one context per run. Every navigation is
// checked against the policy as it happens, so a click cannot lead to a host the policy does not allow.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const IDLE_MS = 5 * 60_000;
const TEXT_CAP = 8000;

let browserPromise: Promise<Browser> | undefined;
const sessions = new Map<string, { context: BrowserContext; page: Page; timer: NodeJS.Timeout }>();

async function browser(chromiumPath: string): Promise<Browser> {
  if (!fs.existsSync(chromiumPath)) throw new Error(`chromium is not installed at ${chromiumPath}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const { chromium } = await import('playwright-core');
  browserPromise ??= chromium.launch({ executablePath: chromiumPath, args: ARGS, headless: true });
  return browserPromise;
}

/** The run's page (created on first use); `allowHost` judges each navigation. */
async function pageFor(runId: string, allowHost: (url: string) => boolean, chromiumPath: string): Promise<Page> {
  let s = sessions.get(runId);
  if (!s) {
    const context = await (await browser(chromiumPath)).newContext();
    await context.route('**/*', (route) => {
      const req = route.request();
      if (req.isNavigationRequest() && !allowHost(req.url())) return route.abort('blockedbyclient');
      return route.continue();
    });
    const page = await context.newPage();
    s = { context, page, timer: setTimeout(() => void closeBrowserSession(runId), IDLE_MS) };
    sessions.set(runId, s);
  }
  s.timer.refresh();
  return s.page;
}

export async function closeBrowserSession(runId: string): Promise<void> {
  const s = sessions.get(runId);
  sessions.delete(runId);
  if (s) {
    clearTimeout(s.timer);
    await s.context.close().catch(() => {});
  }
}

export async function closeBrowser(): Promise<void> {
  for (const id of [...sessions.keys()]) await closeBrowserSession(id);
  const b = await browserPromise?.catch(() => undefined);
  browserPromise = undefined;
  await b?.close();
}

export interface BrowserArgs {
  op: 'open' | 'click' | 'type' | 'extract' | 'screenshot';
  url?: string | undefined;
  selector?: string | undefined;
  text?: string | undefined;
}

export async function runBrowser(runId: string, callId: string, args: BrowserArgs, o: { allowHost: (url: string) => boolean; artifactsDir: string; chromiumPath: string }): Promise<string> {
  const page = await pageFor(runId, o.allowHost, o.chromiumPath);
  switch (args.op) {
    case 'open': {
      const res = await page.goto(args.url!, { timeout: 30_000, waitUntil: 'domcontentloaded' });
      return `opened ${page.url()} (status ${res?.status() ?? 'none'}, title ${JSON.stringify(await page.title())})`;
    }
    case 'click':
      if (!args.selector) throw new Error('click needs a selector');
      await page.click(args.selector, { timeout: 10_000 });
      await page.waitForLoadState('domcontentloaded');
      return `clicked ${args.selector}; now at ${page.url()}`;
    case 'type':
      if (!args.selector) throw new Error('type needs a selector');
      await page.fill(args.selector, args.text ?? '', { timeout: 10_000 });
      return `typed into ${args.selector}`;
    case 'extract': {
      const text = args.selector ? await page.innerText(args.selector, { timeout: 10_000 }) : await page.innerText('body');
      return text.length > TEXT_CAP ? `${text.slice(0, TEXT_CAP)}\n[text truncated]` : text;
    }
    case 'screenshot': {
      fs.mkdirSync(path.join(o.artifactsDir, runId), { recursive: true });
      const name = `${callId.replace(/[^\w.-]/g, '_')}.png`;
      await page.screenshot({ path: path.join(o.artifactsDir, runId, name), fullPage: true });
      return `screenshot saved as artifact ${name} (GET /api/runs/${runId}/artifacts/${name})`;
    }
  }
}
