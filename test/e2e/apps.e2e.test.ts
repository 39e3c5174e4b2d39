// Apps in a real browser against `harness up`: the seeded app runs its pipeline and shows the result,
// generated versions render differently, generation repairs or fails with its reasons, and a hostile
// HTML view stays inside its sandbox (no cookie, storage, network, top navigation or other target,
// and its manifest's rate and budget hold).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPredictReply } from '../../core/adapters.js';
import { A2UI_VERSION, VLOOP_CATALOG_ID } from '../../core/a2ui.js';
import { promptFields } from '../helpers/echo-model.js';
import { freePort } from '../helpers/ports.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { until } from '../helpers/processes.js';
import { TOKEN } from '../helpers/stack.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeReply, FakeRequest } from '../fakes/script.js';

const surface = (components: unknown[]) => ({ version: A2UI_VERSION, catalogId: VLOOP_CATALOG_ID, components });
// The view the fake model drafts: the sentiment as a big title, a list-free layout; different from v1.
const loud = surface([
  { id: 'root', component: 'Row', children: ['ask', 'big_sentiment'] },
  { id: 'ask', component: 'Column', children: ['review', 'go'] },
  { id: 'review', component: 'TextField', label: 'Your review', value: { path: '/inputs/text' }, variant: 'longText' },
  { id: 'go', component: 'Button', label: 'How does it feel?', action: { event: { name: 'run' } } },
  { id: 'big_sentiment', component: 'Text', text: { path: '/outputs/sentiment' }, variant: 'h1' },
]);
const broken = surface([{ id: 'root', component: 'Text', text: { path: '/outputs/stars' } }]);

function script(req: FakeRequest): FakeReply {
  const system = req.messages[0]?.content ?? '';
  if (system.startsWith('You design small UIs')) {
    const wants = /What the user wants: (.*)/.exec(req.messages[1]?.content ?? '')?.[1] ?? '';
    const told = req.messages.some((m) => m.content.includes('VALIDATION_FAILED'));
    if (wants.includes('hopeless') || (wants.includes('repair') && !told)) return JSON.stringify(broken);
    return JSON.stringify(loud);
  }
  const text = promptFields(req).text ?? promptFields(req).summary ?? '';
  if (system.includes('Summarize the text')) return formatPredictReply({ summary: `In short: ${text.slice(0, 40)}` });
  if (system.includes('Classify the overall sentiment')) return formatPredictReply({ sentiment: 'positive' });
  if (system.includes('headline')) return formatPredictReply({ headline: 'Reviewer delighted' });
  return formatPredictReply({ combined: text.toUpperCase() });
}

describe('apps (e2e)', () => {
  let session: UpSession;
  let url: string;
  let page: Page;
  let appsPort: number;
  let fake: FakeProvider;
  let canary: http.Server;
  let canaryUrl: string;
  const canaryHits: string[] = [];
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const shot = (name: string) => session.shot(name);

  beforeAll(async () => {
    fake = await startFakeProvider('openai', script);
    // Anything that reaches this server escaped the sandbox.
    canary = http.createServer((req, res) => {
      canaryHits.push(`${req.method} ${req.url}`);
      res.end('gotcha');
    });
    await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
    canaryUrl = `http://127.0.0.1:${(canary.address() as AddressInfo).port}`;
    appsPort = await freePort();
    session = await startHarnessUp(fake.baseUrl, { HARNESS_APPS_PORT: String(appsPort) });
    ({ url, page } = session);
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
    canary?.close();
  });

  it('runs the seeded app: the form starts the pipeline, the outputs render, the run links back', async () => {
    await page.goto(`${url}/ui/apps`);
    await page.click('[data-test=app-review-digest]');
    await page.locator('[data-a2ui=review] textarea').first().fill('Setup was quick and the runs never lose anything.');
    await page.click('[data-a2ui=go]');
    await page.locator('[data-a2ui=summary]', { hasText: 'In short: Setup was quick' }).waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('[data-a2ui=sentiment]').textContent(), { timeout: 20_000 })
      .toContain('positive');
    expect(await page.locator('[data-a2ui=headline]').textContent()).toContain('Reviewer delighted');
    await shot('app-review-digest');
    await page.click('[data-test=app-run-link]');
    await page.locator('[data-test=run-app-link]', { hasText: 'review-digest@1' }).waitFor();
    const run = await api('GET', `/api/runs/${page.url().split('/runs/')[1]}`);
    expect(run).toMatchObject({
      origin: 'app:review-digest@1',
      status: 'completed',
      target: { name: 'review-digest' },
    });
    await page.click('[data-test=run-app-link]');
    await page.locator('[data-a2ui=go]').waitFor();
  });

  it('refines the app through the model: the new version renders differently', async () => {
    await page.goto(`${url}/ui/apps/review-digest`);
    await page.fill('[data-test=refine-prompt] textarea', 'make the sentiment the big thing');
    await page.click('[data-test=refine-submit]');
    await page.locator('[data-test=live-run] .v-chip', { hasText: 'completed' }).waitFor({ timeout: 30_000 });
    await page.goto(`${url}/ui/apps/review-digest?version=2`);
    await page.locator('[data-a2ui=big_sentiment]').waitFor({ state: 'attached' });
    // The page shows v2's whole surface and nothing of v1's (no summary): exactly v2's components, once rendered.
    const shown = () =>
      page
        .locator('[data-a2ui]')
        .evaluateAll((els) => [...new Set(els.map((e) => (e as HTMLElement).dataset.a2ui))].sort());
    await expect.poll(shown, { timeout: 15_000 }).toEqual(['ask', 'big_sentiment', 'go', 'review', 'root']);
    await page.locator('[data-a2ui=review] textarea').first().fill('Lovely.');
    await page.click('[data-a2ui=go]');
    await page.locator('[data-a2ui=big_sentiment]', { hasText: 'positive' }).waitFor({ timeout: 30_000 });
    await shot('app-review-digest-v2');
    const v2 = await api('GET', '/api/apps/review-digest/versions/2');
    expect(v2.spec.provenance).toMatchObject({ model: 'fake-model', parentVersion: 1 });
  });

  it('repairs an invalid draft in one round, and fails an unrepairable one with its validation errors', async () => {
    const repaired = await api('POST', '/api/apps/review-digest/refine', { prompt: 'please repair this' });
    await until(
      async () => (await api('GET', `/api/runs/${repaired.id}`)).status === 'completed',
      'the repaired generation',
    );
    expect((await api('GET', `/api/runs/${repaired.id}`)).outputs).toMatchObject({ version: 3, rounds: 1 });
    await page.goto(`${url}/ui/apps/review-digest`);
    await page.fill('[data-test=refine-prompt] textarea', 'hopeless');
    await page.click('[data-test=refine-submit]');
    await page.locator('[data-test=live-run] .v-chip', { hasText: 'failed' }).waitFor({ timeout: 60_000 });
    await page.locator('[data-test=live-run]', { hasText: "'/outputs/stars' binds to nothing" }).waitFor();
    const runId = (await page.locator('[data-test=live-run] a').first().textContent())!.trim();
    const { events } = await api('GET', `/api/runs/${runId}/events`);
    expect(
      events
        .filter((e: { type: string }) => e.type === 'step.failed')
        .map((e: { data: { error: string } }) => e.data.error),
    ).toEqual([
      expect.stringContaining("'/outputs/stars' binds to nothing"),
      expect.stringContaining("'/outputs/stars' binds to nothing"),
      expect.stringContaining("'/outputs/stars' binds to nothing"),
    ]);
    expect((await api('GET', '/api/apps/review-digest')).latestVersion).toBe(3);
  });

  describe('a hostile HTML view', () => {
    const hostile = () =>
      fs
        .readFileSync('test/fixtures/apps/hostile.html', 'utf8')
        .replaceAll('__CANARY__', canaryUrl)
        .replaceAll('__API__', url)
        .replaceAll('__WS__', url.replace('http', 'ws'));
    const target = { kind: 'pipeline', name: 'review-digest', version: 1 };
    const report = async (app: string) => {
      await until(
        async () => !!(await api('GET', `/api/apps/${app}/state`)).report,
        `the ${app} app to report`,
        60_000,
      );
      return (await api('GET', `/api/apps/${app}/state`)).report as Record<string, string>;
    };

    it('cannot read the token, storage or the dashboard, reach any server, navigate the top window, or run another target; its rate holds', async () => {
      await api('POST', '/api/apps', {
        name: 'hostile',
        target,
        view: { kind: 'html', html: hostile() },
        permissions: { perMinute: 2, maxConcurrent: 10 },
      });
      const before = (await api('GET', '/api/runs?limit=200')).runs.length;
      await page.goto(`${url}/ui/apps/hostile`);
      const r = await report('hostile');
      await shot('app-hostile');
      expect(JSON.stringify(r)).not.toContain(TOKEN);
      for (const k of ['cookie', 'localStorage', 'sessionStorage', 'parentDocument', 'parentStorage'])
        expect(r[k], k).toMatch(/^blocked: SecurityError/);
      for (const k of ['fetchApi', 'fetchCanary', 'xhr', 'websocket', 'image']) expect(r[k], k).toMatch(/^blocked/);
      expect(r.openWindow).toBe('null');
      expect(r.init).toBe(JSON.stringify(target));
      expect(r.otherTool).toMatch(/blocked: Error: the only tool is 'run'/);
      expect(r.unknownMethod).toMatch(/does not exist/);
      // The extra "target" was not obeyed: whatever ran is the bound pipeline.
      expect(
        r.burst!.split(',').filter((s) => s === 'started').length + (r.otherTarget!.startsWith('ran') ? 1 : 0),
      ).toBe(2);
      expect(r.burst).toContain('rate_limited');
      expect(r.afterwards).toBe('rate_limited');
      const runs = (await api('GET', '/api/runs?limit=200')).runs.slice(
        0,
        (await api('GET', '/api/runs?limit=200')).runs.length - before,
      );
      expect(runs.length).toBe(2);
      for (const run of runs)
        expect(run).toMatchObject({ origin: 'app:hostile@1', target: { type: 'pipeline', name: 'review-digest' } });
      expect(page.url()).toBe(`${url}/ui/apps/hostile`);
      expect(canaryHits).toEqual([]);
      // Opened directly, the view is still sandboxed by its CSP, and needs the token.
      const direct = await fetch(`http://127.0.0.1:${appsPort}/view/hostile/1`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(direct.headers.get('content-security-policy')).toMatch(
        /connect-src 'none'.*sandbox allow-scripts allow-forms/,
      );
      expect((await fetch(`http://127.0.0.1:${appsPort}/view/hostile/1`)).status).toBe(401);
    });

    it('is cut off by its budget', async () => {
      await api('PUT', '/api/pricing', { 'fake-model': { input: 1000, output: 1000 } });
      await api('POST', '/api/apps', {
        name: 'spender',
        target,
        view: { kind: 'html', html: hostile() },
        permissions: { perMinute: 20, maxConcurrent: 10, budgetUsd: 0.000001 },
      });
      await page.goto(`${url}/ui/apps/spender`);
      const r = await report('spender');
      expect(r.afterwards).toBe('budget_exhausted');
      expect(canaryHits).toEqual([]);
    });
  });
});
