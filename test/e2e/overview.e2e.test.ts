// The overview answers "how are things going?" (issue 35): with 30 days of runs in the store each chart draws the
// window's numbers, a click on the failure spike opens exactly those failed runs, and it reads in light and dark.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../db/knex.js';
import { agentModel } from '../helpers/agent-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { until } from '../helpers/processes.js';
import { seedHistory, type PastEval, type PastRun } from '../helpers/seed-history.js';
import type { FakeRequest } from '../fakes/script.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';

const DAY = 86_400_000;
const MODELS = [
  { provider: 'openai', model: 'gpt-4o-mini', costPerToken: 0.000001 },
  { provider: 'openai', model: 'gpt-4o', costPerToken: 0.00001 },
  { provider: 'anthropic', model: 'claude-haiku', costPerToken: 0.000004 },
];
// translate is the slowest and classify the cheapest; summarize spends the most on gpt-4o.
const TARGETS = [
  { name: 'summarize', wallMs: 1500, model: 1 },
  { name: 'classify', wallMs: 400, model: 0 },
  { name: 'translate', wallMs: 4000, model: 2 },
];
const SPIKE_DAYS_AGO = 12;
const SPIKE_FAILURES = 9;

/** 28 days of runs, three a day per target, a failure every fifth day, and nine failures within minutes on one day. */
function history(now: number): PastRun[] {
  const runs: PastRun[] = [];
  const run = (t: (typeof TARGETS)[number], at: number, status: PastRun['status'], i: number): PastRun => {
    const m = MODELS[t.model]!;
    const tokens = 200 + 37 * (i % 9);
    return {
      target: t.name,
      status,
      at: new Date(at),
      wallMs: t.wallMs + 90 * (i % 7),
      provider: m.provider,
      model: m.model,
      inputTokens: tokens,
      outputTokens: tokens / 2,
      costUsd: tokens * 1.5 * m.costPerToken,
    };
  };
  for (let d = 1; d <= 28; d++)
    for (const [k, t] of TARGETS.entries())
      for (let i = 0; i < 3; i++) {
        const failed = d % 5 === 0 && k === 0 && i === 0 && d !== SPIKE_DAYS_AGO;
        runs.push(run(t, now - d * DAY + (k * 3 + i) * 60_000, failed ? 'failed' : 'completed', d + i + k));
      }
  // At noon (UTC) that day: the nine stay in one day's bucket whatever the time the test runs.
  const spike = Math.floor((now - SPIKE_DAYS_AGO * DAY) / DAY) * DAY + DAY / 2;
  for (let i = 0; i < SPIKE_FAILURES; i++) runs.push(run(TARGETS[1]!, spike + i * 20_000, 'failed', i));
  return runs;
}

function evals(now: number): PastEval[] {
  const scores = (...xs: number[]) => xs.map((exact_match) => ({ exact_match }));
  return [
    {
      target: 'summarize',
      version: 1,
      dataset: 'golden',
      at: new Date(now - 10 * DAY),
      examples: scores(1, 0, 1, 0, 1),
    },
    {
      target: 'summarize',
      version: 2,
      dataset: 'golden',
      at: new Date(now - 2 * DAY),
      examples: scores(1, 1, 1, 0, 1),
    },
  ];
}

interface Drawn {
  series: Array<{ name: string; data: Array<number | null> }>;
  x: [number, number];
  y0: number;
}
const drawn = async (page: Page, chart: string): Promise<Drawn> => {
  const el = page.locator(`[data-chart="${chart}"]`);
  await until(
    async () => ((await el.getAttribute('data-drawn')) ?? '').includes('"series"'),
    `the ${chart} chart drawn`,
  );
  return JSON.parse((await el.getAttribute('data-drawn'))!) as Drawn;
};
const sum = (xs: Array<number | null>) => xs.reduce<number>((n, x) => n + (x ?? 0), 0);

describe('the overview (e2e)', () => {
  let session: UpSession;
  let fake: FakeProvider;
  let seeded: PastRun[];
  let runIds: string[];
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  const look = agentModel({ look: [{ tool: 'filesystem', args: { op: 'write', path: 'out.txt', content: 'x' } }] });
  // The agent asks to write (an approval waits); any other call never answers (a run stays running).
  const script = (req: FakeRequest) =>
    req.messages.some((m) => m.content.includes('[[ ## task ## ]]')) ? look(req) : new Promise<string>(() => {});

  /** Live runs that need a person: one waiting for approval, one running, one running but quiet for 20 minutes. */
  async function liveRuns(): Promise<{ approval: string; running: string; stuck: string }> {
    const start = async (component: string, inputs: Record<string, string>) =>
      (await api('POST', `/api/components/${component}/runs`, { inputs })).id as string;
    const approval = await start('looker', { task: 'look' });
    const running = await start('digest', { text: 'hold on' });
    const stuck = await start('digest', { text: 'hold on too' });
    const inCall = async (id: string) =>
      (await api('GET', `/api/runs/${id}/events`)).events?.some?.((e: { type: string }) => e.type === 'llm.request');
    await until(
      async () => (await api('GET', `/api/runs/${approval}`)).status === 'waiting_approval',
      'the approval asked',
    );
    await until(async () => (await inCall(running)) && (await inCall(stuck)), 'both runs in their model call');
    const quiet = new Date(Date.now() - 20 * 60_000).toISOString();
    const store = openStore({ dialect: 'sqlite', url: path.join(session.dir, 'harness.db') });
    try {
      await store.knex('run_events').where('runId', stuck).update({ time: quiet });
      await store.knex('runs').where('id', stuck).update({ createdAt: quiet, startedAt: quiet, updatedAt: quiet });
    } finally {
      await store.close();
    }
    return { approval, running, stuck };
  }

  beforeAll(async () => {
    fake = await startFakeProvider('openai', script);
    session = await startHarnessUp(fake.baseUrl);
    // Seeded before this process opens any connection to the API: the store's writes run on this event loop, and a
    // kept-alive socket should not sit idle behind them.
    const now = Date.now();
    seeded = history(now);
    ({ runIds } = await seedHistory(path.join(session.dir, 'harness.db'), { runs: seeded, evals: evals(now) }));
    await api('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
    await api('POST', '/api/components', {
      name: 'digest',
      signature: 'text: str -> summary: str',
      provider: 'fake',
    });
    await api('POST', '/api/components', {
      name: 'looker',
      kind: 'react',
      signature: 'task: str -> answer: str',
      provider: 'fake',
      tools: ['filesystem'],
    });
  }, 300_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it('draws each chart from the window, lists what needs a person, and reads in light and dark', async () => {
    const live = await liveRuns();
    const { page } = session;
    const overview = await api('GET', '/api/overview?window=30d');
    await page.goto(`${session.url}/ui/?window=30d`);

    const runs = await drawn(page, 'runs');
    expect(runs.series.map((s) => s.name)).toEqual(['failed', 'other runs']);
    expect(runs.series[0]!.data).toEqual(overview.runs.map((b: { failed: number }) => b.failed));
    const failed = runs.series[0]!.data as number[];
    const spike = failed.indexOf(Math.max(...failed));
    const spikeStart = Date.parse(overview.runs[spike].t);
    const spikeAt = seeded.filter((r) => r.status === 'failed' && r.target === 'classify')[0]!.at.getTime();
    expect(spikeAt >= spikeStart && spikeAt < spikeStart + overview.bucketMs).toBe(true);
    expect(failed[spike]).toBe(SPIKE_FAILURES);
    const failures = seeded.filter((r) => r.status === 'failed').length;
    expect(sum(failed)).toBe(failures);
    const total = overview.runs.reduce((n: number, b: { total: number }) => n + b.total, 0);
    expect(total).toBeGreaterThanOrEqual(seeded.length);
    expect(await page.locator('[data-chart="runs"] [data-test=chart-summary]').textContent()).toMatch(
      new RegExp(`^${total} runs, ${failures} failed; most on .+ \\(${SPIKE_FAILURES}\\)$`),
    );

    // The seeded calls' models, and the live runs' calls to the fake (free: it has no price).
    const seededModels = MODELS.map((m) => `${m.provider}/${m.model}`);
    const cost = await drawn(page, 'costUsd');
    expect(cost.series.map((s) => s.name).sort()).toEqual([...seededModels, 'fake/fake-model'].sort());
    const seededSum = (d: Drawn) => sum(d.series.filter((s) => seededModels.includes(s.name)).flatMap((s) => s.data));
    expect(seededSum(cost)).toBeCloseTo(
      seeded.reduce((n, r) => n + r.costUsd, 0),
      6,
    );
    expect(sum(cost.series.find((s) => s.name === 'fake/fake-model')!.data)).toBe(0);
    const tokens = await drawn(page, 'tokens');
    expect(seededSum(tokens)).toBe(seeded.reduce((n, r) => n + r.inputTokens + r.outputTokens, 0));

    const latency = await drawn(page, 'latency');
    // Each target's p50 and p95 (its pair carries its name, so its legend entry toggles both).
    expect(latency.series.map((s) => s.name)).toEqual(
      expect.arrayContaining(['translate', 'translate', 'classify', 'classify']),
    );
    expect(latency.series).toHaveLength(2 * new Set(latency.series.map((s) => s.name)).size);
    const translateP95 = latency.series.filter((s) => s.name === 'translate')[1]!.data.filter((v) => v !== null);
    expect(translateP95).toEqual(
      overview.latency
        .filter((l: { target: string }) => l.target === 'translate')
        .map((l: { p95Ms: number }) => l.p95Ms),
    );
    expect(Math.min(...translateP95)).toBeGreaterThanOrEqual(TARGETS[2]!.wallMs);
    expect(await page.locator('[data-test=targets-latency] .v-list-item-title').first().textContent()).toBe(
      'translate',
    );
    expect(await page.locator('[data-test=targets-cost] .v-list-item-title').first().textContent()).toBe('summarize');

    const attention = (key: string) => page.locator(`[data-test=attention-${key}] .v-chip`).textContent();
    await until(async () => (await attention('approvals'))?.trim() === '1', 'one run waiting for approval');
    expect((await attention('stuck'))?.trim()).toBe('1');
    expect(Number(await attention('running'))).toBeGreaterThanOrEqual(2);
    await page.locator(`[data-test=attention-stuck-run][href$="/runs/${live.stuck}"]`).waitFor();

    const newest = page.locator('[data-test=latest-evals] tbody tr').first();
    expect(await newest.locator('[data-test=eval-delta]').textContent()).toContain('+0.20');

    await session.shot('overview-light');
    await page.click('[data-test=theme-toggle]');
    await until(async () => (await page.locator('.v-theme--dark').count()) > 0, 'the dark theme');
    await drawn(page, 'runs');
    await session.shot('overview-dark');
    await page.click('[data-test=theme-toggle]');

    // The day window is the default: picking it leaves the URL, and the charts show its 24 hours.
    await page.locator('[data-test=overview-window] button[value=day]').click();
    await page.waitForURL((u) => !u.searchParams.has('window'));
    await until(async () => (await drawn(page, 'runs')).series[0]!.data.length === 24, "the day's 24 buckets");
    await page.locator('[data-test=overview-window] button[value=week]').click();
    await until(
      async () => (await drawn(page, 'runs')).series[0]!.data.length === 28,
      "the week's 28 buckets of 6 hours",
    );
    await session.shot('overview-week');
  });

  it('a click on the failure spike opens the runs list filtered to exactly those failed runs', async () => {
    const { page } = session;
    // Under a filter from the URL, which the click carries on to the runs list.
    await page.goto(`${session.url}/ui/?window=30d&target=classify`);
    await page.locator('[data-test=overview-target]').getByText('classify').waitFor();
    const runs = await drawn(page, 'runs');
    const failed = runs.series[0]!.data as number[];
    expect(sum(failed)).toBe(SPIKE_FAILURES);
    const spike = failed.indexOf(Math.max(...failed));
    const x = runs.x[0] + ((runs.x[1] - runs.x[0]) * spike) / (failed.length - 1);
    await page.locator('[data-chart="runs"] .overview-chart').click({ position: { x, y: runs.y0 - 3 } });
    await page.waitForURL(/\/ui\/runs\?/);
    const query = new URL(page.url()).searchParams;
    expect(query.get('status')).toBe('failed');
    expect(query.get('target')).toBe('classify');
    const since = Date.parse(query.get('since')!);
    const until_ = Date.parse(query.get('until')!);
    const expected = seeded
      .map((r, i) => ({ ...r, id: runIds[i]! }))
      .filter((r) => r.status === 'failed' && r.at.getTime() >= since && r.at.getTime() < until_)
      .map((r) => r.id)
      .sort();
    expect(expected).toHaveLength(SPIKE_FAILURES);
    const rows = page.locator('[data-test=runs-table] tbody tr[data-run]');
    await until(async () => (await rows.count()) === expected.length, `${expected.length} failed runs listed`);
    expect((await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-run')))).sort()).toEqual(expected);
    await session.shot('overview-spike-runs');
  });

  it('shows that it is loading until the first answer, and an address with no page says so', async () => {
    const { page } = session;
    // The overview's answer is held until the loading bar has been seen, then let through.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/overview**', async (route) => {
      await held;
      await route.continue();
    });
    try {
      await page.goto(`${session.url}/ui/?window=week`);
      await page.locator('[data-test=overview-loading]').waitFor();
      expect(await page.locator('[data-chart=runs]').count()).toBe(0);
      release();
      await page.locator('[data-chart=runs]').waitFor();
      await page.locator('[data-test=overview-loading]').waitFor({ state: 'detached' });
    } finally {
      release();
      await page.unroute('**/api/overview**');
    }
    await page.goto(`${session.url}/ui/nowhere/at-all`);
    const notFound = page.locator('[data-test=not-found]');
    await expect.poll(() => notFound.textContent()).toContain('/nowhere/at-all');
    await session.shot('not-found');
    await notFound.getByRole('link', { name: 'Go to the overview' }).click();
    await page.locator('[data-chart=runs]').waitFor();
  });
});
