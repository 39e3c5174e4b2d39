// The overview's rollups (the week and 30-day windows) against the runs and calls they roll up, on SQLite and
// PostgreSQL: the same counts, tokens and cost as the exact queries for every filter the rollups answer, percentiles
// within the sketch's accuracy; after archives, failures, late calls and deletes; under writers running beside the
// refresh; and from the marks the migration leaves on a store that had runs before it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overviewFrame, overviewQuery } from '../../api/services/overview-window.js';
import { ACCURACY } from '../../core/latency-sketch.js';
import type { Store } from '../../db/knex.js';
import * as m021 from '../../db/migrations/021_overview_rollups.js';
import * as m022 from '../../db/migrations/022_overview_marks_by_target.js';
import * as m023 from '../../db/migrations/023_overview_runs_daily.js';
import * as exact from '../../db/repositories/overview.js';
import { refreshOverviewRollups } from '../../db/repositories/overview-rollup-refresh.js';
import * as rollups from '../../db/repositories/overview-rollups.js';
import { dialects, freshStore, type TestStore } from '../helpers/db.js';
import { runTs } from '../helpers/processes.js';
import { seededRandom } from '../../core/seeded-random.js';

const NOW = Date.parse('2031-05-20T15:37:00.000Z');
const DAY = 86_400_000;
const TARGETS = ['alpha', 'beta', 'gamma', 'delta'];
const MODELS = [
  ['openai', 'gpt-4o'],
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude'],
  ['local', 'smollm2'],
] as const;
const ORIGINS = [null, null, null, 'app:digest@1', 'app:digest@12', 'app:brief@1', 'eval:run_e1', 'optimize:run_o1'];
const FILTERS: Array<Record<string, string>> = [
  {},
  { target: 'beta' },
  { provider: 'anthropic' },
  { model: 'gpt-4o-mini' },
  { origin: 'app' },
  { origin: 'app:digest@' },
  { origin: 'eval' },
  { origin: 'optimize' },
  { origin: 'fork' },
  { target: 'alpha', provider: 'openai', origin: 'app' },
];

const iso = (ms: number) => new Date(ms).toISOString();
const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

/** Runs over the last 40 days (some before the 30-day window), with calls up to 8 hours after their run started. */
async function seed(db: Store, rnd: () => number, count: number, prefix: string, since = NOW - 40 * DAY) {
  for (let i = 0; i < count; i++) {
    const id = `run_${prefix}${String(i).padStart(5, '0')}`;
    const created = since + Math.floor(rnd() * (NOW - since));
    const r = rnd();
    const status = r < 0.15 ? 'failed' : r < 0.2 ? 'running' : r < 0.23 ? 'cancelled' : 'completed';
    const ended = status === 'running' ? null : created + 1000 + Math.floor(rnd() ** 3 * 600_000);
    const name = pick(rnd, TARGETS);
    await db.knex('runs').insert({
      id,
      kind: 'pipeline',
      status,
      target: JSON.stringify({ type: 'pipeline', id: `p_${name}`, name, version: 1 }),
      inputs: '{}',
      workflowId: id,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      lastSeq: 0,
      createdAt: iso(created),
      startedAt: iso(created + 1000),
      endedAt: ended === null ? null : iso(ended),
      updatedAt: iso(ended ?? created),
      origin: pick(rnd, ORIGINS),
      forkOfRun: rnd() < 0.06 ? 'run_source' : null,
      archivedAt: rnd() < 0.03 ? iso(NOW) : null,
    });
    const calls = Math.floor(rnd() * 4);
    for (let c = 0; c < calls; c++) await addCall(db, rnd, id, created + Math.floor(rnd() * 8 * 3_600_000), `c${c}`);
  }
}

async function addCall(db: Store, rnd: () => number, runId: string, at: number, key: string) {
  const [provider, model] = pick(rnd, MODELS);
  const target = (await db.knex('runs').where({ id: runId }).first('targetName')) as { targetName: string };
  const inputTokens = 10 + Math.floor(rnd() * 900);
  await db.knex('modelCalls').insert({
    runId,
    callKey: key,
    at: iso(Math.min(at, NOW)),
    provider,
    model,
    targetName: target.targetName,
    inputTokens,
    outputTokens: Math.floor(inputTokens / 7),
    costUsd: inputTokens / 1e6,
  });
}

/** The exact rows with an app's versions taken together, as the rollups keep them. */
function byAppOfAnyVersion(rows: exact.RunBucketRow[]): exact.RunBucketRow[] {
  const folded = new Map<string, exact.RunBucketRow>();
  for (const r of rows) {
    const appOrigin = r.appOrigin?.replace(/\d+$/, '') ?? null;
    const key = JSON.stringify([r.bucket, r.target, appOrigin]);
    const f = folded.get(key) ?? { ...r, appOrigin, total: 0, failed: 0 };
    folded.set(key, { ...f, total: f.total + r.total, failed: f.failed + r.failed });
  }
  return [...folded.values()];
}

const sorted = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r)).sort();
const withoutCost = (rows: exact.UsageRow[]) => rows.map(({ costUsd: _cost, ...r }) => r);

/** Every query the rollups answer for the window and filter agrees with the exact query over runs and calls. */
async function expectAgreement(db: Store, window: 'week' | '30d', filter: Record<string, string>, now = NOW) {
  const frame = overviewFrame(overviewQuery.parse({ window, ...filter }), now);
  const s = frame.scope;
  const label = JSON.stringify({ window, ...filter });
  expect(rollups.rollupsAnswer(s), label).toBe(true);
  await refreshOverviewRollups(db, frame.from, frame.to);
  expect(sorted(await rollups.runBuckets(db, s)), label).toEqual(
    sorted(byAppOfAnyVersion(await exact.runBuckets(db, s))),
  );
  const usage = await rollups.usageBuckets(db, s);
  const exactUsage = await exact.usageBuckets(db, s);
  expect(sorted(withoutCost(usage)), label).toEqual(sorted(withoutCost(exactUsage)));
  expect(usage.reduce((n, u) => n + u.costUsd, 0)).toBeCloseTo(
    exactUsage.reduce((n, u) => n + u.costUsd, 0),
    9,
  );
  for (const byBucket of [true, false]) {
    const key = (r: exact.LatencyRow) => `${r.bucket ?? ''}/${r.target}`;
    const want = new Map((await exact.latency(db, s, byBucket)).map((r) => [key(r), r]));
    const got = await rollups.latency(db, s, byBucket);
    expect(got.map(key).sort(), label).toEqual([...want.keys()].sort());
    for (const r of got) {
      const w = want.get(key(r))!;
      expect(r.runs, `${label} ${key(r)}`).toBe(w.runs);
      for (const p of ['p50Ms', 'p95Ms'] as const)
        expect(Math.abs(r[p] - w[p]), `${label} ${key(r)} ${p}: ${r[p]} against ${w[p]}`).toBeLessThanOrEqual(
          w[p] * ACCURACY + 1e-6,
        );
    }
  }
}

async function expectAllAgree(db: Store) {
  for (const window of ['week', '30d'] as const)
    for (const filter of FILTERS) await expectAgreement(db, window, filter);
}

describe.each(dialects)('the overview rollups (%s)', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await freshStore(dialect);
    await seed(t.store, seededRandom(21), 400, 'a');
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('agree with the exact queries for every filter they answer, in both long windows', async () => {
    await expectAllAgree(t.store);
    // Neither an exact app version, one run's children, nor a provider and a model together.
    for (const q of [
      { origin: 'app:digest@1' },
      { origin: 'eval:run_e1e1e1e1e1' },
      { provider: 'openai', model: 'gpt-4o' },
    ])
      expect(rollups.rollupsAnswer(overviewFrame(overviewQuery.parse(q), NOW).scope)).toBe(false);
  });

  it('follow archives, failures, late calls, changed usage, deletes and renamed targets', async () => {
    const db = t.store;
    await expectAllAgree(db);
    const rnd = seededRandom(7);
    const ids = ((await db.knex('runs').select('id').orderBy('id')) as Array<{ id: string }>).map((r) => r.id);
    const some = (n: number) => Array.from({ length: n }, () => pick(rnd, ids));
    await db
      .knex('runs')
      .whereIn('id', some(12))
      .update({ archivedAt: iso(NOW) });
    await db.knex('runs').whereIn('id', some(4)).update({ archivedAt: null });
    await db
      .knex('runs')
      .where({ status: 'running' })
      .whereIn('id', some(60))
      .update({
        status: 'failed',
        endedAt: iso(NOW - 1000),
      });
    for (const id of some(6)) await addCall(db, rnd, id, NOW - Math.floor(rnd() * 20 * DAY), 'late');
    await db.knex('modelCalls').whereIn('runId', some(10)).update({ inputTokens: 5, costUsd: 0.5 });
    await db.knex('runs').whereIn('id', some(5)).delete();
    // A run renamed to another target leaves one target's cells and joins another's.
    const renamed = { type: 'pipeline', id: 'p_renamed', name: 'renamed', version: 1 };
    await db
      .knex('runs')
      .whereIn('id', some(6))
      .update({ target: JSON.stringify(renamed) });
    await expectAllAgree(db);
  });

  it('lose no change written while they refresh', async () => {
    // Another process creates, runs and ends runs through the store's real paths while this one refreshes.
    const frame = () => overviewFrame(overviewQuery.parse({ window: 'week' }), Date.now());
    let writing = true;
    const writer = runTs('test/helpers/overview-writer.ts', [dialect, t.url, 'live', '40']).finally(
      () => (writing = false),
    );
    let refreshes = 0;
    try {
      while (writing) {
        const { from, to } = frame();
        await refreshOverviewRollups(t.store, from, to);
        refreshes += 1;
        // better-sqlite3 answers without I/O: let the writer's exit be seen.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await writer;
    }
    expect(refreshes).toBeGreaterThan(1);
    for (const filter of FILTERS) await expectAgreement(t.store, 'week', filter, Date.now());
    const live = await rollups.runBuckets(t.store, frame().scope);
    expect(live.reduce((n, r) => n + r.total, 0)).toBeGreaterThanOrEqual(40);
  });

  it('start from the migrations with every hour of an existing store marked', async () => {
    const knex = t.store.knex;
    // The day cells alone, beside 6-hour cells already up to date: 023's marks merge every day.
    await m023.down(knex);
    await m023.up(knex);
    await expectAllAgree(t.store);
    await m023.down(knex);
    await m022.down(knex);
    await m021.down(knex);
    await m021.up(knex);
    await m022.up(knex);
    await m023.up(knex);
    expect(Number(((await knex('overview_runs').count({ n: '*' })) as Array<{ n: unknown }>)[0]!.n)).toBe(0);
    await expectAllAgree(t.store);
  });
});
