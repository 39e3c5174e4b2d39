// Trends where the object lives, in a real browser (issue 35): a component's page charts the score of each version's
// eval, its cost, latency and runs per day; an eval's page shows each metric against the previous eval of its dataset.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalModel, examples } from '../helpers/eval-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { until } from '../helpers/processes.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';

const METRIC = 'exact_match:answer';
const qa = (mode: string) => ({
  name: 'qa',
  signature: 'question: str -> answer: str',
  instructions: `mode: ${mode}`,
  provider: 'fake',
});

describe('trends on the component and eval pages (e2e)', () => {
  let session: UpSession;
  let page: Page;
  let fake: FakeProvider;
  const evals: string[] = [];
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const completed = async (id: string) => {
    await until(
      async () => (await api('GET', `/api/runs/${id}`)).status === 'completed',
      `run ${id} to complete`,
      90_000,
    );
  };
  /** What a chart drew, once ECharts has finished drawing it. */
  const drawn = async (chart: string) => {
    const card = page.locator(`[data-test=component-trends] [data-chart=${chart}]`);
    await until(async () => !!(await card.getAttribute('data-drawn')), `the ${chart} chart to be drawn`);
    return JSON.parse((await card.getAttribute('data-drawn'))!) as Array<{ name: string; data: unknown[] }>;
  };

  beforeAll(async () => {
    fake = await startFakeProvider('openai', evalModel);
    session = await startHarnessUp(fake.baseUrl);
    page = session.page;
    await api('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
    await api('POST', '/api/datasets', { name: 'qs' });
    await api('POST', '/api/datasets/qs/examples', { examples: examples(8) });
    // quarter answers q0 and q4 of q0..q7 (0.25); even answers q0, q2, q4, q6 (0.5).
    for (const [i, mode] of ['quarter', 'even'].entries()) {
      await (i ? api('POST', '/api/components/qa/versions', qa(mode)) : api('POST', '/api/components', qa(mode)));
      const run = await api('POST', '/api/evals', {
        dataset: 'qs',
        target: { component: `qa@${i + 1}` },
        metrics: [{ name: 'exact_match', field: 'answer' }],
      });
      await completed(run.id);
      evals.push(run.id);
      await completed(
        (await api('POST', '/api/components/qa/runs', { inputs: { question: 'q1' }, version: i + 1 })).id,
      );
    }
  }, 300_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it("the component's page charts the score of both versions, their cost and latency, and runs per day", async () => {
    const trends = await api('GET', '/api/components/qa/trends');
    await page.goto(`${session.url}/ui/components/qa`);
    expect(await drawn('score')).toEqual([{ name: METRIC, data: [0.25, 0.5] }]);
    const panel = page.locator('[data-test=component-trends]');
    expect(await panel.locator('[data-chart=score] [data-test=chart-summary]').innerText()).toBe(
      `${METRIC} 0.25 → 0.50`,
    );
    expect(await drawn('cost')).toEqual([
      { name: 'Mean cost per run', data: trends.versions.map((v: { costUsdAvg: number }) => v.costUsdAvg) },
    ]);
    expect(await drawn('latency')).toEqual([
      { name: 'p50', data: trends.versions.map((v: { p50Ms: number }) => v.p50Ms) },
      { name: 'p95', data: trends.versions.map((v: { p95Ms: number }) => v.p95Ms) },
    ]);
    // Each version ran its 8 examples and one try, all today.
    const runs = await drawn('runs');
    expect((runs[0]!.data as number[]).at(-1)).toBe(18);
    expect(await panel.locator('[data-chart=runs] [data-test=chart-summary]').innerText()).toBe(
      '18 runs, 0 failed in 30 days',
    );
    await panel.scrollIntoViewIfNeeded();
    await session.shot('trends-component-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await until(async () => (await drawn('score')).length > 0 && (await isDark(page)), 'the dark theme');
    await session.shot('trends-component-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it("the eval's page shows each metric against the previous eval, and links to it and to both side by side", async () => {
    await page.goto(`${session.url}/ui/evals/${evals[1]}`);
    const card = page.locator('[data-test=eval-vs-previous]');
    const row = card.locator(`[data-metric="${METRIC}"]`);
    await row.waitFor();
    expect(await row.locator('td').allInnerTexts()).toEqual([METRIC, '0.500', '0.250', '+0.250']);
    expect(await row.locator('[data-test=eval-delta]').getAttribute('data-verdict')).toBe('better');
    expect(await card.locator('[data-test=previous-eval]').getAttribute('href')).toBe(`/ui/evals/${evals[0]}`);
    expect(await card.locator('[data-test=previous-eval]').innerText()).toMatch(/^v1 · /);
    await session.shot('trends-eval-vs-previous');
    await card.locator('[data-test=compare-previous]').click();
    await page.waitForURL((u) => u.pathname === '/ui/evals/compare');
    expect(new URL(page.url()).searchParams.get('runs')).toBe(`${evals[0]},${evals[1]}`);
    await page.goto(`${session.url}/ui/evals/${evals[0]}`);
    await page.locator('[data-test=eval-vs-previous] [data-test=no-previous]').waitFor();
  });
});

/** Whether Vuetify has switched the page to its dark theme. */
const isDark = (page: Page) => page.evaluate(() => !!document.querySelector('.v-theme--dark'));
