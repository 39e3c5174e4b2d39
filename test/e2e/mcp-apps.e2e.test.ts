// Our generated app as an MCP App: in chromium, a host built on ext-apps' AppBridge reads the review-digest app
// from our MCP server (the exposed pipeline's tool names its ui:// view), renders it in a sandboxed frame, and runs
// the pipeline through it: the typed outputs come back into the view, and the run is a durable run of the pipeline.
import http from 'node:http';
import path from 'node:path';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPredictReply } from '../../core/adapters.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeRequest } from '../fakes/script.js';
import { promptFields } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { freePort } from '../helpers/ports.js';
import { TOKEN } from '../helpers/stack.js';

function digestModel(req: FakeRequest): string {
  const system = req.messages[0]?.content ?? '';
  const text = promptFields(req).text ?? promptFields(req).summary ?? '';
  if (system.includes('Summarize the text')) return formatPredictReply({ summary: `In short: ${text.slice(0, 40)}` });
  if (system.includes('Classify the overall sentiment')) return formatPredictReply({ sentiment: 'positive' });
  if (system.includes('headline')) return formatPredictReply({ headline: 'Reviewer delighted' });
  throw new Error('digest model: an unexpected prompt');
}

/** The host page, and /mcp relayed to the harness with its token (the page never holds it). */
async function startHost(backend: string): Promise<{ url: string; close: () => Promise<void> }> {
  const bundled = await build({
    entryPoints: [path.resolve('test/fixtures/mcp-apps-host/host.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
  });
  const script = bundled.outputFiles[0]!.text.replace(/<\/script/gi, '<\\/script');
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>MCP Apps host</title></head><body><script type="module">${script}</script></body></html>`;
  const server = http.createServer(async (req, res) => {
    if (req.url !== '/mcp') return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    for (const h of ['content-type', 'accept', 'mcp-protocol-version'])
      if (req.headers[h]) headers[h] = String(req.headers[h]);
    const answer = await fetch(`${backend}/mcp`, {
      method: req.method!,
      headers,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    // A stream the harness ends as it stops (after the test) ends the relay; nothing of the test's is lost then.
    try {
      for await (const c of answer.body ?? []) res.write(c);
    } catch {
      // the harness closed the stream
    }
    res.end();
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('our app as an MCP App (e2e)', () => {
  let session: UpSession;
  let fake: FakeProvider;
  let host: { url: string; close: () => Promise<void> };
  let page: Page;

  beforeAll(async () => {
    fake = await startFakeProvider('openai', digestModel);
    session = await startHarnessUp(fake.baseUrl);
    await session.api('POST', '/api/mcp/exposed', { kind: 'pipeline', name: 'review-digest' });
    host = await startHost(session.url);
    // The session's own page goes to the host instead of the dashboard (so its screenshots are the host's).
    page = session.page;
  }, 120_000);
  afterAll(async () => {
    await host?.close();
    await session?.close();
    await fake?.close();
  });

  it('renders the review-digest app from our MCP server in an ext-apps host and runs the pipeline through it', async () => {
    await page.goto(host.url);
    await page.locator('body[data-app-ready="pipeline_review-digest"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('body').getAttribute('data-mime-type')).toBe('text/html;profile=mcp-app');
    const app = page.frameLocator('iframe[title="pipeline_review-digest"]');
    await app.getByRole('heading', { name: 'Review digest' }).waitFor();
    const review = app.getByLabel('Review');
    await review.fill('The setup was quick and the dashboard is clear.');
    await app.getByRole('button', { name: 'Digest it' }).click();
    await app.getByRole('heading', { name: 'Reviewer delighted' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => app.locator('.badge.success').textContent(), { timeout: 20_000 }).toBe('positive');
    expect(await app.getByText('In short: The setup was quick').count()).toBe(1);
    await session.shot('mcp-app-review-digest');

    // The click was a durable run of the pipeline, started through our MCP server with the view's inputs.
    const runs = (await session.api('GET', '/api/runs?limit=20')).runs as Array<{
      id: string;
      origin: string | null;
      target: { name: string };
      status: string;
      inputs: Record<string, unknown>;
    }>;
    const viaMcp = runs.filter((r) => r.origin === 'mcp' && r.target.name === 'review-digest');
    expect(viaMcp).toHaveLength(1);
    expect(viaMcp[0]).toMatchObject({
      status: 'completed',
      inputs: { text: 'The setup was quick and the dashboard is clear.' },
    });
  });

  it('serves an HTML view as it is: its window.vloop speaks MCP Apps through the host and runs the tool', async () => {
    await session.api('POST', '/api/apps', {
      name: 'mood',
      target: { kind: 'component', name: 'sentiment', version: 1 },
      view: { kind: 'html', html: MOOD_VIEW },
    });
    await session.api('POST', '/api/mcp/exposed', { kind: 'component', name: 'sentiment' });
    await page.goto(`${host.url}?tool=component_sentiment`);
    await page.locator('body[data-app-ready="component_sentiment"]').waitFor({ timeout: 30_000 });
    const app = page.frameLocator('iframe[title="component_sentiment"]');
    await app.getByText('app mood v1 on test-mcp-apps-host').waitFor();
    // What only the dashboard keeps is refused, and says why.
    await app.getByText('getState() is kept by the harness dashboard').waitFor();
    await app.getByLabel('Text').fill('Lovely and quick.');
    await app.getByRole('button', { name: 'Classify' }).click();
    await app.getByText('mood: positive (completed)').waitFor({ timeout: 60_000 });
    const runId = await app.locator('#run').textContent();
    const run = await session.api('GET', `/api/runs/${runId}`);
    expect(run).toMatchObject({ origin: 'mcp', status: 'completed', inputs: { text: 'Lovely and quick.' } });
    expect(run.target.name).toBe('sentiment');
    await session.shot('mcp-app-html-view');
  });
});

/** An HTML view written for the dashboard's bridge (window.vloop), unchanged. */
const MOOD_VIEW = `<!doctype html><html><head><title>mood</title></head><body>
<label>Text <input id="text"></label><button id="go">Classify</button>
<p id="init"></p><p id="state"></p><p id="out"></p><p id="run"></p>
<script>
  const $ = (id) => document.getElementById(id);
  vloop.on((method, params) => {
    if (method === 'ui/notifications/tool-result' && params.outputs)
      $('out').textContent = 'mood: ' + params.outputs.sentiment + ' (' + params.status + ')';
  });
  vloop.initialize().then((i) => ($('init').textContent = 'app ' + i.app.name + ' v' + i.app.version + ' on ' + i.hostInfo.name));
  vloop.getState().catch((e) => ($('state').textContent = e.message));
  $('go').onclick = async () => ($('run').textContent = (await vloop.run({ text: $('text').value })).id);
</script></body></html>`;
