// Class 9 of issue 28: the browser's rules match scheme, host and port; the harness's own ports are
// refused whatever the rules say; every request is judged: navigation, redirect, subresource, fetch, WebSocket.
import http from 'node:http';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { closeBrowser, closeBrowserSession } from '../../activities/tools/browser.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/processes.js';
import { ALLOW_ALL, toolRunner, type ToolRunner } from '../helpers/tool-runner.js';

/** A server that counts every request (and WebSocket) it gets. */
async function countingServer(
  port: number,
  page: (url: string) => { status?: number; headers?: Record<string, string>; body?: string } = () => ({ body: 'ok' }),
) {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const r = page(req.url ?? '');
    res.writeHead(r.status ?? 200, { 'content-type': 'text/html', ...r.headers });
    res.end(r.body ?? '');
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (s) => (hits.push('websocket'), s.close()));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    hits,
    close: () => new Promise<void>((r) => (wss.close(), server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('browser tool against the harness and hosts it was not given', () => {
  let t: ToolRunner;
  let harness: Awaited<ReturnType<typeof countingServer>>;
  let canary: Awaited<ReturnType<typeof countingServer>>;
  let site: Awaited<ReturnType<typeof countingServer>>;
  let H: number;
  let C: number;
  let P: number;
  const open = (url: string) =>
    t.run({ tool: 'browser', args: { op: 'open', url } }).then(
      (r) => r.output,
      (e: Error) => `refused: ${e.message}`,
    );

  beforeAll(async () => {
    [H, C, P] = [await freePort(), await freePort(), await freePort()];
    harness = await countingServer(H, () => ({ body: '<title>harness api</title>' }));
    canary = await countingServer(C);
    site = await countingServer(P, (url) => {
      if (url === '/redirect') return { status: 302, headers: { location: `http://127.0.0.1:${H}/api/runs` } };
      if (url === '/redirect-canary') return { status: 302, headers: { location: `http://127.0.0.1:${C}/followed` } };
      const c = `http://127.0.0.1:${C}`;
      return {
        body: `<title>site</title><img src="${c}/img.png"><script src="${c}/app.js"></script><link rel=stylesheet href="${c}/s.css">
          <script>fetch('${c}/fetch').catch(() => {}); new WebSocket('ws://127.0.0.1:${C}/ws'); navigator.sendBeacon('${c}/beacon', 'x');
          fetch('http://localhost:${H}/api/policy', { method: 'PUT', body: '{}' }).catch(() => {});
          setTimeout(() => fetch('/after'), 300);</script><p id=done>done</p>`,
      };
    });
    // The harness's API listens on H: the configuration says so, as `harness up` would.
    t = toolRunner({ env: { HARNESS_PORT: String(H) } });
  });
  afterAll(async () => {
    await closeBrowserSession('run_attack');
    await closeBrowser();
    await Promise.all([harness.close(), canary.close(), site.close()]);
    fs.rmSync(t.ws, { recursive: true, force: true });
  });

  it("refuses the harness's port under allow-everything rules, however the host is spelled", async () => {
    t.setPolicy({ rules: [...ALLOW_ALL, { tool: 'browser', action: 'allow' }] });
    for (const url of [
      `http://127.0.0.1:${H}/api/runs`,
      `http://localhost:${H}/`,
      `http://2130706433:${H}/`,
      `http://0x7f.0.0.1:${H}/`,
    ]) {
      expect(await open(url), url).toMatch(/refused|harness/);
    }
    expect(harness.hits).toEqual([]);
  });

  it('judges each redirect hop: a redirect to the harness is refused', async () => {
    t.setPolicy({ rules: [...ALLOW_ALL, { tool: 'browser', action: 'allow' }] });
    const out = await open(`http://127.0.0.1:${P}/redirect`);
    expect(out).not.toMatch(/harness api/);
    expect(harness.hits).toEqual([]);
  });

  it('a rule for host:port allows that port only, and every subresource is judged (the canary sees nothing)', async () => {
    await closeBrowserSession('run_attack');
    t.setPolicy({ rules: [{ tool: 'browser', action: 'allow', match: { url: `127.0.0.1:${P}` } }] });
    expect(await open(`http://127.0.0.1:${P}/`)).toMatch(/opened .*status 200/);
    expect((await t.run({ tool: 'browser', args: { op: 'extract', selector: '#done' } })).output).toBe('done');
    // The page tells its own site when it has tried everything; wait for it before navigating away.
    await until(() => site.hits.includes('/after'), 'the page to finish its attempts');
    expect(await open(`http://127.0.0.1:${C}/`)).toMatch(/refused.*default:host-not-allowed/);
    const redirected = await open(`http://127.0.0.1:${P}/redirect-canary`);
    expect(redirected).not.toMatch(/status 200/);
    expect(canary.hits).toEqual([]);
    expect(harness.hits).toEqual([]);
  });
});
