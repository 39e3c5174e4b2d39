// Class 2: a page on another port of 127.0.0.1 is not the dashboard. A browser sends every cookie of
// the host to every port, so the dashboard holds its token in its own origin's storage and sends it as a
// header: another local server gets no cookie that opens the API, and the gate tells pages apart by the
// exact Origin: no run is created and /ws does not open.
import http from 'node:http';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueScript } from '../fakes/script.js';
import { launchChromium } from '../helpers/browser.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/processes.js';
import { seedDiamond, startTestStack, TOKEN, type TestStack } from '../helpers/stack.js';

/** The attacker's page: every way a page can send the cookie along, each reporting what came back. */
function attackerPage(api: string, runId: string): string {
  const body = JSON.stringify({ inputs: { text: 'from another port' } });
  return `<!doctype html><body><iframe name="sink"></iframe>
<form id="f" method="POST" enctype="text/plain" target="sink" action="${api}/api/components/reverse/runs">
<input name='${body.slice(0, -1)},"p":"' value='"}'></form>
<script>
const report = {};
const url = '${api}/api/components/reverse/runs';
const body = ${JSON.stringify(body)};
(async () => {
  try { const r = await fetch(url, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body }); report.cors = 'status ' + r.status; } catch (e) { report.cors = 'blocked ' + e; }
  try { const r = await fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain; x=json' }, body }); report.noCors = r.type; } catch (e) { report.noCors = 'blocked ' + e; }
  document.getElementById('f').submit();
  report.form = 'sent';
  report.ws = await new Promise((resolve) => {
    const frames = [];
    const ws = new WebSocket('${api.replace('http', 'ws')}/ws');
    ws.onopen = () => { frames.push('open'); ws.send(JSON.stringify({ type: 'subscribe', runId: '${runId}' })); };
    ws.onmessage = (m) => frames.push(String(m.data).slice(0, 80));
    ws.onclose = (e) => resolve({ frames, code: e.code });
    setTimeout(() => { ws.close(); }, 3000);
  });
  window.report = report;
})();
</script>`;
}

/** An innocent-looking local server's page that also asks its own origin for the harness's paths (cookies follow by path). */
const canaryPage = `<!doctype html><body><script>
(async () => {
  for (const p of ['/api/runs', '/api/temporal/codec/decode', '/api/temporal/codec/default/decode', '/ws']) {
    try { await fetch(p, { method: 'POST', credentials: 'include', body: '{}' }); } catch {}
  }
  window.done = true;
})();
</script>`;

/** The status a replayed Cookie header gets on /ws, as a local process would send it (Origin forged). */
const wsStatus = (url: string, headers: Record<string, string>) =>
  new Promise<number>((resolve) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => {});
  });

describe('another local port is not the dashboard', () => {
  let stack: TestStack;
  let browser: Browser;
  let attacker: http.Server;
  let attackerOrigin: string;
  let runId: string;
  const runCount = async () => (await stack.ok('GET', '/api/runs?limit=200')).runs.length as number;

  beforeAll(async () => {
    stack = await startTestStack({ script: queueScript([]), withWorker: false });
    await seedDiamond(stack);
    runId = (await stack.ok('POST', '/api/components/reverse/runs', { inputs: { text: 'mine' } })).id;
    const port = await freePort();
    attackerOrigin = `http://127.0.0.1:${port}`;
    attacker = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(attackerPage(stack.backend.url, runId));
    });
    await new Promise<void>((resolve) => attacker.listen(port, '127.0.0.1', resolve));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.close(resolve));
    await stack?.close();
  });

  it('creates no run and opens no /ws from a page on another port the user visits after the dashboard', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.backend.url}/ui/?token=${TOKEN}`);
    await page.getByText('Recent runs').waitFor();
    const before = await runCount();
    await page.goto(attackerOrigin);
    await until(
      async () => !!(await page.evaluate(() => (window as unknown as { report?: unknown }).report)),
      'the attacker page finished',
      20_000,
    );
    const report = (await page.evaluate(() => (window as unknown as { report: any }).report)) as {
      ws: { frames: string[]; code: number };
    };
    // The form post's answer lands in the iframe: wait for it before counting.
    await until(
      async () => (await page.frame({ name: 'sink' })?.evaluate(() => document.readyState)) === 'complete',
      'the form post answered',
      10_000,
    );
    expect(await runCount(), JSON.stringify(report)).toBe(before);
    expect(report.ws.frames, JSON.stringify(report)).toEqual([]);
    await context.close();
  });

  it('hands another local server no cookie that carries the token or opens the API, even replayed with a forged Origin', async () => {
    const seen: Array<{ path: string; cookie: string }> = [];
    const port = await freePort();
    const canary = http.createServer((req, res) => {
      seen.push({ path: req.url ?? '', cookie: req.headers.cookie ?? '' });
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(req.url === '/' ? canaryPage : '');
    });
    await new Promise<void>((resolve) => canary.listen(port, '127.0.0.1', resolve));
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      // The link `harness open` prints, then the dashboard working (it lists runs), then another local page.
      await page.goto(`${stack.backend.url}/ui/?token=${TOKEN}`);
      await page.getByText('Recent runs').waitFor();
      await until(async () => !page.url().includes('token='), 'the token left the address bar', 10_000);
      for (const host of ['127.0.0.1', 'localhost']) {
        await page.goto(`http://${host}:${port}/`);
        await until(
          async () => (await page.evaluate(() => (window as unknown as { done?: boolean }).done)) === true,
          'the canary page asked its paths',
          10_000,
        );
      }
      await context.close();
      expect(seen.length).toBeGreaterThanOrEqual(10);
      for (const { path, cookie } of seen) {
        expect(cookie, path).not.toContain(TOKEN);
        expect(cookie, path).not.toMatch(/harness_token/);
      }
      // It did get the Temporal UI's decode-only cookie, under the codec's path: that one is replayed too.
      expect(
        seen
          .filter((x) => x.path.startsWith('/api/temporal/codec/'))
          .map((x) => x.cookie)
          .join(' '),
      ).toMatch(new RegExp(`harness_codec_${stack.backend.port}=`));
      expect(seen.filter((x) => !x.path.startsWith('/api/temporal/codec/')).map((x) => x.cookie)).toEqual(
        seen.filter((x) => !x.path.startsWith('/api/temporal/codec/')).map(() => ''),
      );
      // Whatever it got, replayed by a local process as if from the dashboard, opens nothing.
      const cookies = [...new Set(seen.map((s) => s.cookie))];
      const forged = { origin: stack.backend.url, 'sec-fetch-site': 'same-origin' };
      for (const cookie of cookies) {
        const headers = { ...forged, ...(cookie ? { cookie } : {}) };
        expect((await fetch(`${stack.backend.url}/api/runs`, { headers })).status, cookie).toBe(401);
        const post = await fetch(`${stack.backend.url}/api/components/reverse/runs`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ inputs: { text: 'replayed' } }),
        });
        expect(post.status, cookie).toBe(401);
        const encode = await fetch(`${stack.backend.url}/api/temporal/codec/encode`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ payloads: [] }),
        });
        expect(encode.status, cookie).toBe(401);
        expect(await wsStatus(stack.backend.url, headers), cookie).toBe(401);
      }
    } finally {
      await new Promise((resolve) => canary.close(resolve));
    }
  });

  it('refuses the old token cookie whatever its Origin, and takes the token only as a header', async () => {
    const before = await runCount();
    const cookie = `harness_token=${TOKEN}; harness_token_${stack.backend.port}=${TOKEN}`;
    const post = (headers: Record<string, string>) =>
      fetch(`${stack.backend.url}/api/components/reverse/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ inputs: { text: 'x' } }),
      });
    for (const origin of [attackerOrigin, `http://localhost:${stack.backend.port + 1}`, stack.backend.url]) {
      expect((await post({ cookie, origin })).status, origin).toBe(401);
    }
    expect(await wsStatus(stack.backend.url, { cookie, origin: stack.backend.url })).toBe(401);
    // A bearer token with another port as Origin is still refused: that is a page, not the CLI.
    const foreign = await post({ authorization: `Bearer ${TOKEN}`, origin: attackerOrigin });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error.code).toBe('forbidden_origin');
    expect(await runCount()).toBe(before);
    expect((await post({ authorization: `Bearer ${TOKEN}`, origin: stack.backend.url })).status).toBe(201);
    expect(await runCount()).toBe(before + 1);
  });
});
