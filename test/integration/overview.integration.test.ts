// The overview's numbers on SQLite and PostgreSQL: seeded runs and model calls whose expected buckets, usage,
// percentiles and lists this test computes itself; bad windows and filters are 400s; a real run through the stack
// (fake provider) shows in the usage by provider and model, and the runs list finds it by provider and model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../api/context.js';
import { overview } from '../../api/services/overview.js';
import { ACCURACY } from '../../core/latency-sketch.js';
import { appendEvents, createRun, listRuns } from '../../db/repositories/runs.js';
import type { Store } from '../../db/knex.js';
import { echoModel } from '../helpers/echo-model.js';
import { dialects, freshStore, type TestStore } from '../helpers/db.js';
import { seedDiamond, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

const DAY = 86_400_000;
const MIN = 60_000;
const NOW = Date.parse('2031-05-20T15:37:00.000Z');

interface Call {
  provider: string;
  model: string;
  in: number;
  out: number;
  cost: number;
}
interface Seeded {
  target: string;
  status: 'completed' | 'failed' | 'running' | 'waiting_approval';
  /** Created this long before NOW; started a second later; ran for wallMs. */
  agoMs: number;
  wallMs?: number;
  origin?: string;
  calls: Call[];
  /** A running run's last write this long before NOW. */
  quietMs?: number;
}

const gpt = (n: number): Call => ({ provider: 'openai', model: 'gpt-4o', in: 100 * n, out: 10 * n, cost: 0.01 * n });
const claude = (n: number): Call => ({
  provider: 'anthropic',
  model: 'claude',
  in: 200 * n,
  out: 20 * n,
  cost: 0.05 * n,
});

const SEEDED: Seeded[] = [
  { target: 'alpha', status: 'completed', agoMs: 2 * DAY + 5 * MIN, wallMs: 1000, calls: [gpt(1)] },
  { target: 'alpha', status: 'completed', agoMs: 2 * DAY + 9 * MIN, wallMs: 3000, calls: [gpt(2), claude(1)] },
  { target: 'alpha', status: 'failed', agoMs: 2 * DAY + 20 * MIN, wallMs: 8000, calls: [claude(3)] },
  { target: 'alpha', status: 'completed', agoMs: 5 * DAY, wallMs: 500, calls: [gpt(1)] },
  { target: 'beta', status: 'completed', agoMs: 2 * DAY + 30 * MIN, wallMs: 20_000, calls: [claude(2)] },
  { target: 'beta', status: 'failed', agoMs: 10 * DAY, wallMs: 7000, calls: [], origin: 'app:digest@2' },
  {
    target: 'beta',
    status: 'completed',
    agoMs: 10 * DAY + 1000,
    wallMs: 9000,
    calls: [gpt(4)],
    origin: 'app:digest@1',
  },
  // An eval's example: its calls are spent (usage), but it is listed under its eval, not among the runs.
  {
    target: 'beta',
    status: 'completed',
    agoMs: 10 * DAY + 2000,
    wallMs: 100,
    calls: [gpt(5)],
    origin: 'eval:run_0000000000eval',
  },
  { target: 'gamma', status: 'completed', agoMs: 40 * MIN, wallMs: 60_000, calls: [claude(1)] },
  { target: 'gamma', status: 'running', agoMs: 30 * MIN, calls: [gpt(1)], quietMs: 20 * MIN },
  { target: 'gamma', status: 'running', agoMs: 3 * MIN, calls: [], quietMs: 1 * MIN },
  { target: 'alpha', status: 'waiting_approval', agoMs: 50 * MIN, calls: [], quietMs: 45 * MIN },
  // Outside the 30-day window.
  { target: 'alpha', status: 'failed', agoMs: 45 * DAY, wallMs: 1, calls: [gpt(9)] },
];

const iso = (ms: number) => new Date(ms).toISOString();

/** The SQL standard's continuous percentile: linear between the two nearest ranks. */
function percentileCont(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * p;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}

/** A percentile read from a sketch: within its accuracy of the exact one, then rounded to the millisecond. */
function expectNear(actual: number, exact: number): void {
  expect(Math.abs(actual - exact), `${actual} against ${exact}`).toBeLessThanOrEqual(exact * ACCURACY + 1);
}

/** Store each seeded run through the real append path, then move its clock to the seeded times. */
async function seed(store: Store): Promise<Array<Seeded & { id: string }>> {
  const runs: Array<Seeded & { id: string }> = [];
  for (const [i, s] of SEEDED.entries()) {
    const id = `run_ovseed${String(i).padStart(4, '0')}${Math.random().toString(36).slice(2, 8)}`;
    const target = { type: 'pipeline' as const, id: `p_${s.target}`, name: s.target, version: 1 };
    await createRun(store, { id, kind: 'pipeline', target, inputs: {}, origin: s.origin });
    await appendEvents(store, id, [{ type: 'run.started', key: 'start', data: {} } as never], { status: 'running' });
    for (const [c, call] of s.calls.entries()) {
      const callId = `call${c}`;
      const request = { callId, provider: call.provider, model: call.model, messages: [], attempt: 1 };
      await appendEvents(store, id, [{ type: 'llm.request', key: `${callId}:1:request`, data: request } as never]);
      const usage = { inputTokens: call.in, outputTokens: call.out };
      const response = { callId, text: 'ok', usage, latencyMs: 5, costUsd: call.cost, attempt: 1 };
      await appendEvents(
        store,
        id,
        [{ type: 'llm.response', key: `${callId}:1:response`, data: response } as never],
        undefined,
        {
          ...usage,
          costUsd: call.cost,
        },
      );
    }
    const created = NOW - s.agoMs;
    const started = created + 1000;
    await store
      .knex('runs')
      .where({ id })
      .update({
        status: s.status,
        createdAt: iso(created),
        startedAt: iso(started),
        endedAt: s.wallMs === undefined ? null : iso(started + s.wallMs),
        updatedAt: iso(s.quietMs === undefined ? started + (s.wallMs ?? 0) : NOW - s.quietMs),
      });
    // Each call made a second after its run started.
    await store
      .knex('model_calls')
      .where({ runId: id })
      .update({ at: iso(started + 1000) });
    runs.push({ ...s, id });
  }
  return runs;
}

/** What the 30-day overview should say, from the seeded list alone. */
function expected30d(runs: Array<Seeded & { id: string }>, keep: (s: Seeded) => boolean = () => true) {
  const to = Math.floor(NOW / DAY) * DAY + DAY;
  const from = to - 30 * DAY;
  const inWindow = runs.filter((r) => NOW - r.agoMs >= from && keep(r));
  const listed = inWindow.filter((r) => !r.origin?.startsWith('eval:'));
  const day = (ms: number) => iso(Math.floor(ms / DAY) * DAY);
  const runBuckets = new Map<string, { total: number; failed: number }>();
  for (const r of listed) {
    const b = runBuckets.get(day(NOW - r.agoMs)) ?? { total: 0, failed: 0 };
    runBuckets.set(day(NOW - r.agoMs), { total: b.total + 1, failed: b.failed + (r.status === 'failed' ? 1 : 0) });
  }
  const usage = new Map<string, { inputTokens: number; outputTokens: number; costUsd: number }>();
  for (const r of inWindow)
    for (const c of r.calls) {
      const key = JSON.stringify([day(NOW - r.agoMs + 2000), c.provider, c.model]);
      const u = usage.get(key) ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 };
      usage.set(key, {
        inputTokens: u.inputTokens + c.in,
        outputTokens: u.outputTokens + c.out,
        costUsd: u.costUsd + c.cost,
      });
    }
  const walls = new Map<string, number[]>();
  for (const r of listed.filter((x) => x.wallMs !== undefined))
    walls.set(r.target, [...(walls.get(r.target) ?? []), r.wallMs!]);
  return { from: iso(from), to: iso(to), listed, inWindow, runBuckets, usage, walls };
}

describe.each(dialects)('the overview (%s)', (dialect) => {
  // The seeded store is the test's alone: no backend's reconciler ends its running runs, which have no workflow.
  let db: TestStore;
  let stack: TestStack;
  let runs: Array<Seeded & { id: string }>;
  let ctx: AppContext;
  beforeAll(async () => {
    db = await freshStore(dialect);
    ctx = { store: db.store } as AppContext;
    runs = await seed(db.store);
    stack = await startTestStack({ dialect, script: echoModel });
  });
  afterAll(async () => {
    await stack?.close();
    await db?.drop();
  });

  it('counts runs and failures, usage by provider and model, and wall-time percentiles per day over 30 days', async () => {
    const o = await overview(ctx, { window: '30d' }, NOW);
    const e = expected30d(runs);
    expect([o.from, o.to, o.bucketMs]).toEqual([e.from, e.to, DAY]);
    expect(o.runs).toHaveLength(30);
    expect(
      Object.fromEntries(o.runs.filter((b) => b.total).map((b) => [b.t, { total: b.total, failed: b.failed }])),
    ).toEqual(Object.fromEntries(e.runBuckets));
    expect(o.usage.map((u) => [JSON.stringify([u.t, u.provider, u.model]), u.inputTokens, u.outputTokens])).toEqual(
      [...e.usage].sort(([a], [b]) => a.localeCompare(b)).map(([k, u]) => [k, u.inputTokens, u.outputTokens]),
    );
    for (const u of o.usage)
      expect(u.costUsd).toBeCloseTo(e.usage.get(JSON.stringify([u.t, u.provider, u.model]))!.costUsd, 9);
    const slowest = [...e.walls]
      .map(([target, w]) => ({
        target,
        runs: w.length,
        p50Ms: Math.round(percentileCont(w, 0.5)),
        p95Ms: Math.round(percentileCont(w, 0.95)),
      }))
      .sort((a, b) => b.p95Ms - a.p95Ms);
    // The 30-day window reads the rollups' sketches: each percentile within their accuracy (and the ms rounding).
    expect(o.slowestTargets.map(({ target, runs }) => ({ target, runs }))).toEqual(
      slowest.map(({ target, runs }) => ({ target, runs })),
    );
    for (const [i, t] of o.slowestTargets.entries()) {
      expectNear(t.p50Ms, slowest[i]!.p50Ms);
      expectNear(t.p95Ms, slowest[i]!.p95Ms);
    }
    // alpha's runs two days ago: 1 s, 3 s, 8 s in one bucket.
    const alpha = o.latency.find((l) => l.target === 'alpha' && l.t === iso(Math.floor((NOW - 2 * DAY) / DAY) * DAY));
    expectNear(alpha!.p50Ms, 3000);
    expectNear(alpha!.p95Ms, percentileCont([1000, 3000, 8000], 0.95));
  });

  it('ranks the costliest targets, lists what needs a look, and offers the filters the window holds', async () => {
    const o = await overview(ctx, { window: '30d' }, NOW);
    const e = expected30d(runs);
    const cost = (t: string) =>
      e.inWindow
        .filter((r) => r.target === t)
        .flatMap((r) => r.calls)
        .reduce((n, c) => n + c.cost, 0);
    expect(o.costliestTargets.map((c) => c.target)).toEqual(
      ['alpha', 'beta', 'gamma'].sort((a, b) => cost(b) - cost(a)),
    );
    for (const c of o.costliestTargets) {
      expect(c.costUsd).toBeCloseTo(cost(c.target), 9);
      expect(c.runs).toBe(e.listed.filter((r) => r.target === c.target).length);
    }
    const idOf = (pred: (s: Seeded) => boolean) =>
      runs
        .filter(pred)
        .map((r) => r.id)
        .sort();
    expect(o.pendingApprovals.runs.map((r) => r.id)).toEqual(idOf((s) => s.status === 'waiting_approval'));
    expect(o.pendingApprovals.runs[0]!.since).toBe(iso(NOW - 45 * MIN));
    expect(o.running.count).toBe(2);
    expect(o.stuck).toEqual({
      count: 1,
      runs: [
        {
          id: idOf((s) => s.status === 'running' && s.quietMs! > 10 * MIN)[0],
          target: 'gamma',
          lastEventAt: iso(NOW - 20 * MIN),
        },
      ],
    });
    expect(o.options).toEqual({
      targets: ['alpha', 'beta', 'gamma'],
      providers: ['anthropic', 'openai'],
      models: ['claude', 'gpt-4o'],
      origins: ['app', 'app:digest@', 'eval', 'optimize', 'experiment', 'fork'],
    });
  });

  it('filters by target, provider, model and origin as the runs list does', async () => {
    const check = async (query: Record<string, string>, keep: (s: Seeded) => boolean) => {
      const o = await overview(ctx, { window: '30d', ...query }, NOW);
      const e = expected30d(runs, keep);
      expect(
        o.runs.reduce((n, b) => n + b.total, 0),
        JSON.stringify(query),
      ).toBe(e.listed.length);
      expect(o.runs.reduce((n, b) => n + b.failed, 0)).toBe(e.listed.filter((r) => r.status === 'failed').length);
      // The options stay those of the whole window.
      expect(o.options.targets).toEqual(['alpha', 'beta', 'gamma']);
      return o;
    };
    await check({ target: 'beta' }, (s) => s.target === 'beta');
    const byProvider = await check({ provider: 'anthropic' }, (s) => s.calls.some((c) => c.provider === 'anthropic'));
    expect(new Set(byProvider.usage.map((u) => u.provider))).toEqual(new Set(['anthropic']));
    await check({ model: 'gpt-4o' }, (s) => s.calls.some((c) => c.model === 'gpt-4o'));
    await check({ origin: 'app' }, (s) => !!s.origin?.startsWith('app:'));
    await check({ origin: 'app:digest@1' }, (s) => s.origin === 'app:digest@1');
    // The runs list agrees with the overview's provider filter, and takes `until`.
    const from = iso(NOW - 3 * DAY);
    const listed = await listRuns(db.store, {
      provider: 'anthropic',
      since: from,
      until: iso(NOW - DAY),
      topLevel: true,
      limit: 50,
    });
    const want = runs.filter(
      (s) => s.calls.some((c) => c.provider === 'anthropic') && s.agoMs < 3 * DAY && s.agoMs > DAY,
    );
    expect(listed.runs.map((r) => r.id).sort()).toEqual(want.map((r) => r.id).sort());
  });

  it('answers bad windows and filters with a 400 in the one error shape', async () => {
    for (const q of ['window=year', 'window=day&provider=', 'window=day&colour=blue', 'origin=nowhere'])
      expect(await stack.api('GET', `/api/overview?${q}`), q).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_request' } },
      });
    expect((await stack.api('GET', '/api/runs?model=')).status).toBe(400);
  });

  it('shows a real run through the stack in the usage by provider and model', async () => {
    await seedDiamond(stack);
    const started = await stack.ok('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'abc' } });
    const run = await waitForRun(stack, started.id);
    expect(run.status).toBe('completed');
    const o = await stack.ok('GET', '/api/overview?window=hour&provider=fake');
    const fake = o.usage.filter((u: { model: string }) => u.model === 'fake-model');
    expect(fake.reduce((n: number, u: { inputTokens: number }) => n + u.inputTokens, 0)).toBe(run.usage.inputTokens);
    expect(fake.reduce((n: number, u: { outputTokens: number }) => n + u.outputTokens, 0)).toBe(run.usage.outputTokens);
    expect(o.runs.reduce((n: number, b: { total: number }) => n + b.total, 0)).toBe(1);
    expect(o.options.providers).toContain('fake');
    const listed = await stack.ok('GET', '/api/runs?provider=fake&model=fake-model');
    expect(listed.runs.map((r: { id: string }) => r.id)).toEqual([run.id]);
    expect((await stack.ok('GET', '/api/runs?provider=fake&model=other')).runs).toEqual([]);
  });
});
