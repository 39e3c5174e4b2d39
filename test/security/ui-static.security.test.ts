// The dashboard's static files: a built file with its type and the page's headers, every other /ui/ path the SPA's
// index, and nothing outside the build or hidden in it, however the path is spelled (behind the gate, and without it).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardCsp } from '../../api/app-views/document.js';
import type { AppContext } from '../../api/context.js';
import { errorHandler } from '../../api/errors.js';
import { uiRoutes } from '../../api/ui.js';
import { freePort } from '../helpers/ports.js';

interface Answer {
  status: number;
  text: string;
  headers: http.IncomingHttpHeaders;
}

/** A request sent with its path exactly as written (fetch would normalize it first). */
function get(port: number, target: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: target, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const INDEX = '<!doctype html><title>the index</title>';
const SECRET = 'outside the build';
const app = {
  allowedHosts: ['127.0.0.1', 'localhost'],
  appViewsPort: 4999,
  temporal: { uiUrl: 'http://127.0.0.1:8233' },
} as unknown as AppContext;

async function serve(dist: string): Promise<{ port: number; close: () => Promise<void> }> {
  const koa = new Koa();
  koa.use(errorHandler(() => {}));
  koa.use(uiRoutes(app, dist).routes());
  const port = await freePort();
  const server = koa.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('/ui/ static files', () => {
  let root: string;
  let built: Awaited<ReturnType<typeof serve>>;
  let unbuilt: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-static-'));
    const dist = path.join(root, 'dist');
    fs.mkdirSync(path.join(dist, 'assets', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dist, 'index.html'), INDEX);
    fs.writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dist, 'assets', 'app.css'), 'body{}');
    fs.writeFileSync(path.join(dist, 'assets', 'sub', 'x.svg'), '<svg/>');
    fs.writeFileSync(path.join(dist, '.env'), SECRET);
    fs.writeFileSync(path.join(dist, 'assets', '.hidden.js'), SECRET);
    fs.writeFileSync(path.join(root, 'secret.txt'), SECRET);
    fs.writeFileSync(path.join(root, 'dist-other.txt'), SECRET);
    built = await serve(dist);
    unbuilt = await serve(path.join(root, 'not-built'));
  });
  afterAll(async () => {
    await built?.close();
    await unbuilt?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('serves a built file with its type, the dashboard CSP and no referrer', async () => {
    const js = await get(built.port, '/ui/assets/app.js');
    expect([js.status, js.text, js.headers['content-type']]).toEqual([
      200,
      'console.log(1)',
      'text/javascript; charset=utf-8',
    ]);
    expect(js.headers['content-security-policy']).toBe(dashboardCsp(app.allowedHosts, app.appViewsPort));
    expect(js.headers['referrer-policy']).toBe('no-referrer');
    const css = await get(built.port, '/ui/assets/app.css');
    expect([css.status, css.text, css.headers['content-type']]).toEqual([200, 'body{}', 'text/css; charset=utf-8']);
    const svg = await get(built.port, '/ui/assets/sub/x.svg');
    expect([svg.status, svg.text, svg.headers['content-type']]).toEqual([200, '<svg/>', 'image/svg+xml']);
  });

  it('answers every other /ui/ path with the index (the SPA routes it), a missing asset too', async () => {
    for (const p of [
      '/ui/',
      '/ui',
      '/ui/runs/r1',
      '/ui/assets/missing.js',
      '/ui/assets',
      '/ui/assets/',
      '/ui/index.html',
    ]) {
      const res = await get(built.port, p);
      expect([res.status, res.text, res.headers['content-type']], p).toEqual([200, INDEX, 'text/html; charset=utf-8']);
      expect(res.headers['content-security-policy'], p).toBe(dashboardCsp(app.allowedHosts, app.appViewsPort));
    }
  });

  it('serves nothing outside the build and no dotfile, however the path is spelled', async () => {
    const spellings = [
      '/ui/../secret.txt',
      '/ui/..%2fsecret.txt',
      '/ui/..%2Fsecret.txt',
      '/ui/%2e%2e%2fsecret.txt',
      '/ui/%2e%2e/secret.txt',
      '/ui/assets/..%2f..%2fsecret.txt',
      '/ui/..%5csecret.txt',
      '/ui/%2fetc%2fpasswd',
      '/ui/../dist-other.txt',
      '/ui/.env',
      '/ui/%2eenv',
      '/ui/assets/.hidden.js',
      '/ui/assets/%2ehidden.js',
      '/ui/%E0%A4%A',
      '/ui/app.js%00',
    ];
    for (const p of spellings) {
      const res = await get(built.port, p);
      expect(res.text, p).not.toContain(SECRET);
      expect(res.text, p).not.toMatch(/root:/);
      expect([res.status, res.text], p).toEqual([200, INDEX]);
    }
  });

  it('drops the old token cookie', async () => {
    const res = await get(built.port, '/ui/', { cookie: 'harness_token_4000=abc; other=1' });
    expect(res.headers['set-cookie']?.join(';')).toMatch(/^harness_token_4000=;/);
  });

  it('shows a plain status page while the dashboard is not built', async () => {
    for (const p of ['/ui/', '/ui/assets/app.js']) {
      const res = await get(unbuilt.port, p);
      expect([res.status, res.headers['content-type']], p).toEqual([200, 'text/html; charset=utf-8']);
      expect(res.text, p).toContain('The dashboard is not built yet');
    }
  });
});
