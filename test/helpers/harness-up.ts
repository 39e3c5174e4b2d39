// `harness up` for e2e tests: the suite's Temporal, a fresh project, a token; chromium on the dashboard.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { inject } from 'vitest';
import { makeWorkspace } from './agent-setup.js';
import { launchChromium, SCREENSHOTS } from './browser.js';
import { freePort } from './ports.js';
import { spawnHarness, type HarnessProcess } from './processes.js';
import { TOKEN } from './stack.js';
import { seedTracedBundle } from './traced-bundle.js';

export interface UpSession {
  up: HarnessProcess;
  /** The project directory (VLOOP_PROJECT_DIR): its store is harness.db there. */
  dir: string;
  url: string;
  port: number;
  browser: Browser;
  page: Page;
  api(method: string, p: string, body?: unknown): Promise<any>;
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Start `harness up --no-example` with its default provider on the fake at `fakeBaseUrl`, and open the dashboard. */
export async function startHarnessUp(fakeBaseUrl: string, env: Record<string, string> = {}): Promise<UpSession> {
  const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-e2e-'));
  const workspace = makeWorkspace({ 'notes.txt': 'x' });
  seedTracedBundle(projectDir, env);
  // A port found free can be taken before the server binds it (another file's server, an outgoing
  // socket): then the same project starts again on new ports.
  const start = async () => {
    const port = await freePort();
    const up = spawnHarness(['up', '--no-example'], {
      HARNESS_PORT: String(port),
      // e2e files run in parallel: every port is a free one.
      HARNESS_APPS_PORT: String(await freePort()),
      HARNESS_TOKEN: TOKEN,
      VLOOP_PROJECT_DIR: projectDir,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      // On the suite's Temporal, its UI: the default (8233) is the one `npm start` serves, the developer's history.
      // A test whose harness up manages its own dev server (TEMPORAL_ADDRESS '') links to that one's.
      ...(env.TEMPORAL_ADDRESS === '' ? {} : { TEMPORAL_UI_URL: inject('temporalUiUrl') }),
      TEMPORAL_TASK_QUEUE: `tq-e2e-${port}`,
      HARNESS_WORKSPACE: workspace,
      LM_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-e2e-0123456789abcdef',
      OPENAI_BASE_URL: fakeBaseUrl,
      LM_MODEL: 'fake-model',
      ...env,
    });
    try {
      await up.waitFor('running; press Ctrl-C to stop', 90_000);
    } catch (err) {
      await up.kill(); // a stack that did not start (a port taken, a timeout) is not left running
      throw err;
    }
    return { port, up };
  };
  // The browser starts while the stack does (each takes seconds); whichever fails, neither is left running.
  const launching = launchChromium();
  launching.catch(() => undefined); // awaited below; a failure while the stack starts is not unhandled
  let started: Awaited<ReturnType<typeof start>> | undefined;
  for (let attempt = 1; !started; attempt++) {
    try {
      started = await start();
    } catch (err) {
      if (attempt >= 3 || !/EADDRINUSE/.test((err as Error).message)) {
        await launching.then((b) => b.close()).catch(() => undefined);
        throw err;
      }
    }
  }
  const { port, up } = started;
  const url = `http://127.0.0.1:${port}`;
  let browser: Browser | undefined;
  let page: Page;
  try {
    browser = await launching;
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${url}/ui/?token=${TOKEN}`);
    await page.getByText('Recent runs').waitFor();
  } catch (err) {
    // No session is returned, so no afterAll can close it: the stack and the browser end here.
    await browser?.close();
    await up.kill();
    throw err;
  }
  return {
    up,
    dir: projectDir,
    url,
    port,
    browser,
    page,
    async api(method, p, body) {
      const res = await fetch(`${url}${p}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const data = await res.json();
      if (!res.ok) throw new Error(`${p}: ${JSON.stringify(data)}`);
      return data;
    },
    async shot(name) {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async close() {
      try {
        await browser.close();
      } finally {
        await up.kill('SIGINT');
      }
    },
  };
}
