// Class 2: a page on another port of 127.0.0.1 is not the dashboard. The browser sends it the
// dashboard's cookie (cookies are not scoped by port, and the two are same-site), so the gate must
// tell them apart by the exact Origin: no run is created and /ws does not open.
import http from 'node:http';
import type { Browser } from 'playwright-core';
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

  it('creates no run and opens no /ws from a page on another port that holds the cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.backend.url}/ui/?token=${TOKEN}`);
    const cookies = await context.cookies(stack.backend.url);
    expect(cookies.filter((c) => c.name.startsWith('harness_token') && c.httpOnly && c.sameSite === 'Strict').length).toBe(1);

    const before = await runCount();
    await page.goto(attackerOrigin);
    await until(async () => !!(await page.evaluate(() => (window as unknown as { report?: unknown }).report)), 'the attacker page finished', 20_000);
    const report = (await page.evaluate(() => (window as unknown as { report: any }).report)) as { ws: { frames: string[]; code: number } };
    // The form post's answer lands in the iframe: wait for it before counting.
    await until(async () => (await page.frame({ name: 'sink' })?.evaluate(() => document.readyState)) === 'complete', 'the form post answered', 10_000);
    expect(await runCount(), JSON.stringify(report)).toBe(before);
    expect(report.ws.frames, JSON.stringify(report)).toEqual([]);
    // Named for the dashboard's port: another harness on another port keeps its own.
    expect(cookies.map((c) => c.name)).toEqual([`harness_token_${stack.backend.port}`]);
    await context.close();
  });

  it('refuses the cookie with another port as Origin, and takes it from the dashboard', async () => {
    const before = await runCount();
    const cookie = `harness_token=${TOKEN}; harness_token_${stack.backend.port}=${TOKEN}`;
    const post = (origin: string) =>
      fetch(`${stack.backend.url}/api/components/reverse/runs`, { method: 'POST', headers: { cookie, origin, 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { text: 'x' } }) });
    const foreign = await post(attackerOrigin);
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error.code).toBe('forbidden_origin');
    expect((await post(`http://localhost:${stack.backend.port + 1}`)).status).toBe(403);
    expect((await post(`https://127.0.0.1:${stack.backend.port}`)).status).toBe(403);
    expect(await runCount()).toBe(before);
    expect((await post(stack.backend.url)).status).toBe(201);
    expect(await runCount()).toBe(before + 1);
  });
});
