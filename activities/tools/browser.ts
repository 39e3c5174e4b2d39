// Browser tool: Playwright driving Debian's chromium, one context per run. Every request the page
// makes (navigation, each redirect hop, subresource, fetch, WebSocket) is judged as it happens, and the
// harness's own ports are refused whatever the rules say, so a page cannot reach the harness or Temporal.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const IDLE_MS = 5 * 60_000;
const TEXT_CAP = 8000;
const MAX_REDIRECTS = 10;

let browserPromise: Promise<Browser> | undefined;
const sessions = new Map<string, { context: BrowserContext; page: Page; timer: NodeJS.Timeout }>();

async function browser(chromiumPath: string): Promise<Browser> {
  if (!fs.existsSync(chromiumPath))
    throw new Error(`chromium is not installed at ${chromiumPath}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const { chromium } = await import('playwright-core');
  browserPromise ??= chromium.launch({ executablePath: chromiumPath, args: ARGS, headless: true });
  return browserPromise;
}

/** What the browser may reach: the policy's judgement of a URL, and the ports that are never reachable. */
export interface BrowserReach {
  allowHost: (url: string) => boolean;
  /** The harness's and Temporal's ports: refused on every host (a name can resolve to this machine). */
  reservedPorts: number[];
}

/** Why a request may not leave the browser, or undefined when it may. */
export function refusal(reach: BrowserReach, raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `not a URL: ${raw}`;
  }
  // data: and blob: stay inside the page; anything else that is not http(s) or ws(s) is refused.
  if (url.protocol === 'data:' || url.protocol === 'blob:') return undefined;
  const port = Number(url.port || { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 }[url.protocol] || 0);
  if (!port) return `${url.protocol} is not a scheme the browser tool opens`;
  if (reach.reservedPorts.includes(port)) return `port ${port} is the harness's or Temporal's, which no tool may reach`;
  return reach.allowHost(url.href) ? undefined : `${url.host} is not a host and port the policy allows`;
}

/** The run's page (created on first use); every request it makes is judged by `reach`. */
async function pageFor(runId: string, reach: BrowserReach, chromiumPath: string): Promise<Page> {
  let s = sessions.get(runId);
  if (!s) {
    // Service workers would fetch outside the routes below.
    const context = await (await browser(chromiumPath)).newContext({ serviceWorkers: 'block' });
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (refusal(reach, url)) return route.abort('blockedbyclient');
      if (url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      // A route sees only a request's first URL (chromium follows a redirect unrouted): the hops are followed here, each judged.
      // The page then shows the last hop's answer under the first URL.
      try {
        let current = url;
        let response = await route.fetch({ maxRedirects: 0 });
        for (let hop = 0; response.status() >= 300 && response.status() < 400 && response.headers().location; hop++) {
          const next = new URL(response.headers().location!, current).href;
          if (hop >= MAX_REDIRECTS || refusal(reach, next)) return await route.abort('blockedbyclient');
          current = next;
          response = await route.fetch({ url: current, method: 'GET', maxRedirects: 0 });
        }
        return await route.fulfill({ response });
      } catch {
        return route.abort('failed').catch(() => {});
      }
    });
    await context.routeWebSocket(/.*/, (ws) => {
      if (refusal(reach, ws.url())) return ws.close({ code: 1008, reason: 'refused by the policy' });
      ws.connectToServer();
    });
    // WebRTC reaches hosts (STUN, TURN) outside every route.
    await context.addInitScript(() => {
      for (const name of ['RTCPeerConnection', 'webkitRTCPeerConnection', 'RTCDataChannel'])
        delete (globalThis as Record<string, unknown>)[name];
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

export async function runBrowser(
  runId: string,
  callId: string,
  args: BrowserArgs,
  o: BrowserReach & { artifactsDir: string; chromiumPath: string },
): Promise<string> {
  const page = await pageFor(runId, o, o.chromiumPath);
  switch (args.op) {
    case 'open': {
      const refused = refusal(o, args.url!);
      if (refused) throw new Error(`refused: ${refused}`);
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
      const text = args.selector
        ? await page.innerText(args.selector, { timeout: 10_000 })
        : await page.innerText('body');
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
