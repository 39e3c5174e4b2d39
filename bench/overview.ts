// The overview's API times at 100,000 runs and 1,000,000 events (issue 35: every query p95 < 100 ms), on SQLite and
// PostgreSQL: each window with and without a filter, through the real service, and on SQLite through the HTTP API of
// a started backend too. Runs spread over the last 30 days (the 30-day window holds them all: the worst case).
// Prints one JSON line. Usage: node bin/run-ts.js bench/overview.ts [iterations=20] [dialects=sqlite,postgres]
// PostgreSQL: VLOOP_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test); a database is made and dropped.
import os from 'node:os';
import knexFactory from 'knex';
import type { AppContext } from '../api/context.js';
import { overview, readsRollups } from '../api/services/overview.js';
import { overviewFrame, overviewQuery, WINDOWS } from '../api/services/overview-window.js';
import * as repo from '../db/repositories/overview.js';
import * as rollups from '../db/repositories/overview-rollups.js';
import { refreshOverviewRollups } from '../db/repositories/overview-rollup-refresh.js';
import { latestEvals, runsInStatus } from '../db/repositories/overview-now.js';
import { migrate, openStore, type Store } from '../db/knex.js';
import { THROWAWAY_TOKEN as TOKEN, startThrowawayStack } from '../test/helpers/throwaway-stack.js';
import { seededRandom } from '../core/seeded-random.js';

const ITERATIONS = Number(process.argv[2] ?? 20);
const DIALECTS = (process.argv[3] ?? 'sqlite,postgres').split(',');
const PG_ADMIN = process.env.VLOOP_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUNS = 100_000;
const EVENTS_PER_RUN = 10;
const DAY = 86_400_000;
// A minute before a 6-hour bucket ends: the newest bucket holds six hours of runs, the most a live call recomputes.
const NOW = Math.floor(Date.now() / 21_600_000) * 21_600_000 + 21_600_000 - 60_000;
const TARGETS = Array.from({ length: 20 }, (_, i) => `target-${String(i).padStart(2, '0')}`);
const MODELS = [
  ['openai', 'gpt-4o'],
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude-sonnet'],
  ['anthropic', 'claude-haiku'],
  ['local', 'smollm2'],
  ['local', 'qwen'],
] as const;
const FILTERS: Record<string, Record<string, string>> = {
  none: {},
  target: { target: 'target-03' },
  provider: { provider: 'anthropic' },
  model: { model: 'gpt-4o-mini' },
  origin: { origin: 'app' },
};

const iso = (ms: number) => new Date(ms).toISOString();
const runId = (i: number) => `run_bench${String(i).padStart(8, '0')}`;

interface Rows {
  runs: Record<string, unknown>[];
  events: Record<string, unknown>[];
  calls: Record<string, unknown>[];
}

/** The status of run i: most completed, some failed; the newest few waiting, running or stuck. */
function statusOf(i: number, r: number): string {
  if (i >= RUNS - 50) return 'waiting_approval';
  if (i >= RUNS - 150) return 'running';
  return r < 0.08 ? 'failed' : r < 0.09 ? 'cancelled' : 'completed';
}

/** One run as the store holds it after it ran: its row, its ten events, its two model calls. */
function seedRun(i: number, rnd: () => number, into: Rows): void {
  const id = runId(i);
  const created = NOW - 30 * DAY + Math.floor(((i + rnd()) / RUNS) * 30 * DAY);
  const status = statusOf(i, rnd());
  const started = created + Math.floor(rnd() * 2000);
  const ended = ['running', 'waiting_approval'].includes(status)
    ? null
    : started + Math.floor(100 + rnd() ** 3 * 60_000);
  const name = TARGETS[Math.floor(rnd() ** 1.5 * TARGETS.length)]!;
  const o = rnd();
  const origin = o < 0.1 ? `app:digest@${1 + Math.floor(o * 20)}` : o < 0.15 ? `eval:${runId(i % 500)}` : null;
  const isEval = i % 200 === 7 && !origin;
  const calls = [0, 1].map((c) => {
    const [provider, model] = MODELS[Math.floor(rnd() * MODELS.length)]!;
    const inputTokens = 100 + Math.floor(rnd() * 900);
    const outputTokens = 10 + Math.floor(rnd() * 300);
    return { provider, model, inputTokens, outputTokens, costUsd: (inputTokens + 3 * outputTokens) / 1e6, c };
  });
  const at = (k: number) => iso(Math.min(started + k * 10, ended ?? NOW));
  // Stuck: running, nothing written for an hour.
  const updated = status === 'running' && i % 3 === 0 ? NOW - 3_600_000 : (ended ?? Math.min(started + 100, NOW));
  into.runs.push({
    id,
    kind: isEval ? 'eval' : 'pipeline',
    status,
    target: JSON.stringify({ type: 'pipeline', id: `p_${name}`, name, version: 1 + (i % 3) }),
    inputs: JSON.stringify(isEval ? { dataset: `ds-${i % 4}`, split: 'dev' } : { text: 'a review' }),
    outputs: isEval ? JSON.stringify({ aggregates: { exact_match: { mean: rnd(), n: 20 } } }) : null,
    workflow_id: id,
    input_tokens: calls.reduce((n, c) => n + c.inputTokens, 0),
    output_tokens: calls.reduce((n, c) => n + c.outputTokens, 0),
    cost_usd: calls.reduce((n, c) => n + c.costUsd, 0),
    last_seq: EVENTS_PER_RUN,
    created_at: iso(created),
    started_at: iso(started),
    ended_at: ended === null ? null : iso(ended),
    updated_at: iso(updated),
    origin,
  });
  const event = (seq: number, key: string, type: string, data: unknown) =>
    into.events.push({ run_id: id, seq, key, type, data: JSON.stringify(data), time: at(seq) });
  event(1, 'run:started', 'run.started', {});
  for (const c of calls) {
    const callId = `s${c.c}.call`;
    const s = 2 + c.c * 4;
    event(s, `s${c.c}:started`, 'step.started', { stepId: `s${c.c}` });
    event(s + 1, `${callId}:1:request`, 'llm.request', {
      callId,
      provider: c.provider,
      model: c.model,
      messages: [{ role: 'user', content: 'Summarize: a review' }],
      attempt: 1,
    });
    const usage = { inputTokens: c.inputTokens, outputTokens: c.outputTokens };
    event(s + 2, `${callId}:1:response`, 'llm.response', {
      callId,
      text: 'ok',
      usage,
      latencyMs: 900,
      costUsd: c.costUsd,
      attempt: 1,
    });
    event(s + 3, `s${c.c}:completed`, 'step.completed', { stepId: `s${c.c}`, outputs: { result: 'ok' } });
    // What the append writes for the request and its response (db/repositories/overview-calls.ts), in bulk.
    into.calls.push({
      run_id: id,
      call_key: `${callId}:1`,
      at: at(s + 1),
      provider: c.provider,
      model: c.model,
      target_name: name,
      input_tokens: c.inputTokens,
      output_tokens: c.outputTokens,
      cost_usd: c.costUsd,
      latency_ms: 900,
    });
  }
  event(10, 'run:end', status === 'failed' ? 'run.failed' : 'run.completed', {});
}

/** Insert rows in large batches: one JSON parameter per batch on PostgreSQL, multi-row inserts on SQLite. */
async function bulkInsert(store: Store, table: string, rows: Record<string, unknown>[]): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]!);
  if (store.dialect === 'postgres') {
    const list = columns.join(', ');
    await store.knex.raw(
      `insert into ${table} (${list}) select ${list} from json_populate_recordset(null::${table}, ?::json)`,
      [JSON.stringify(rows)],
    );
    return;
  }
  const size = Math.floor(30_000 / columns.length);
  for (let i = 0; i < rows.length; i += size) {
    const batch = rows.slice(i, i + size);
    const values = batch.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ');
    await store.knex.raw(
      `insert into ${table} (${columns.join(', ')}) values ${values}`,
      batch.flatMap((r) => columns.map((c) => r[c] ?? null)) as never,
    );
  }
}

async function seed(store: Store): Promise<number> {
  const t0 = performance.now();
  const rnd = seededRandom(35);
  const chunk = 5000;
  await store.knex.transaction(async (trx) => {
    const s = { ...store, knex: trx } as Store;
    for (let i = 0; i < RUNS; i += chunk) {
      const rows: Rows = { runs: [], events: [], calls: [] };
      for (let j = i; j < Math.min(RUNS, i + chunk); j++) seedRun(j, rnd, rows);
      await bulkInsert(s, 'runs', rows.runs);
      await bulkInsert(s, 'run_events', rows.events);
      await bulkInsert(s, 'model_calls', rows.calls);
    }
  });
  // PostgreSQL's autovacuum would do this on its own after such a load; SQLite is left as the app leaves it (no ANALYZE).
  if (store.dialect === 'postgres') await store.knex.raw('vacuum analyze');
  return Math.round((performance.now() - t0) / 100) / 10;
}

const pct = (xs: number[], p: number) =>
  Math.round([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]! * 10) / 10;

type Timing = { p50Ms: number; p95Ms: number };
/** A call to time; `before` and `after` run around each call, untimed. */
interface Case {
  fn: () => Promise<unknown>;
  before?: () => Promise<unknown>;
  after?: () => Promise<unknown>;
}

/** p50/p95 of each case after two warm-up calls, in rounds (each case once per round): a slow spell of the machine
 *  then costs every case a sample instead of one case its percentile. */
async function timedRounds(cases: Record<string, Case>): Promise<Record<string, Timing>> {
  const times = new Map<string, number[]>(Object.keys(cases).map((k) => [k, []]));
  for (let round = -2; round < ITERATIONS; round++)
    for (const [key, c] of Object.entries(cases)) {
      await c.before?.();
      const t = performance.now();
      await c.fn();
      if (round >= 0) times.get(key)!.push(performance.now() - t);
      await c.after?.();
    }
  return Object.fromEntries([...times].map(([key, xs]) => [key, { p50Ms: pct(xs, 0.5), p95Ms: pct(xs, 0.95) }]));
}

const timed = async (fn: () => Promise<unknown>): Promise<Timing> => (await timedRounds({ one: { fn } })).one!;

/** The whole overview per window and filter, and its window queries one by one (unfiltered). */
async function measureService(store: Store) {
  const ctx = { store } as AppContext;
  const parts: Record<string, Timing> = {};
  // The first long window after the seed recomputes every bucket (as after the migration on an existing store).
  const t0 = performance.now();
  const longest = overviewFrame(overviewQuery.parse({ window: '30d' }), NOW);
  const coldBuckets = await refreshOverviewRollups(store, longest.from, longest.to);
  const cold = { buckets: coldBuckets, ms: Math.round(performance.now() - t0) };
  // PostgreSQL's autovacuum would clear the 300,000 marks the cold refresh deleted (a fifth of a table changed);
  // without it every look for a mark walks their dead index entries.
  if (store.dialect === 'postgres') await store.knex.raw('vacuum analyze overview_dirty');
  // A live store: a run of the newest bucket changes before each call, so the call recomputes that run's target in
  // that bucket first.
  const newest = (await store.knex('runs').max({ id: 'id' }))[0]!.id as string;
  const touch = () =>
    store
      .knex('runs')
      .where({ id: newest })
      .update({ status: store.knex.ref('status') });
  // The worst live case: a run of every target of the newest bucket changed, so the whole bucket is recomputed.
  const newestBucket = new Date(Math.floor(NOW / 21_600_000) * 21_600_000).toISOString();
  const newestOfEach = (
    (await store.knex('runs').where('createdAt', '>=', newestBucket).groupBy('targetName').max({ id: 'id' })) as Array<{
      id: string;
    }>
  ).map((r) => r.id);
  const touchAll = () =>
    store
      .knex('runs')
      .whereIn('id', newestOfEach)
      .update({ status: store.knex.ref('status') });
  // A live call's marks are cleared after it, untimed, so the next case in the round starts at rest.
  const settle = () => refreshOverviewRollups(store, longest.from, longest.to);
  const cases: Record<string, Case> = {};
  for (const window of Object.keys(WINDOWS)) {
    for (const [name, filter] of Object.entries(FILTERS))
      cases[`${window}/${name}`] = { fn: () => overview(ctx, { window, ...filter }, NOW) };
    const whole = () => overview(ctx, { window }, NOW);
    cases[`${window}/live`] = { fn: whole, before: touch, after: settle };
    cases[`${window}/liveEveryTarget`] = { fn: whole, before: touchAll, after: settle };
  }
  const service = await timedRounds(cases);
  for (const window of Object.keys(WINDOWS)) {
    const frame = overviewFrame(overviewQuery.parse({ window }), NOW);
    const s = frame.scope;
    // What the service reads for the window.
    const source = readsRollups(frame) ? rollups : repo;
    parts[`${window}/refresh`] = await timed(() => refreshOverviewRollups(store, frame.from, frame.to));
    parts[`${window}/runBuckets`] = await timed(() => source.runBuckets(store, s));
    parts[`${window}/usageBuckets`] = await timed(() => source.usageBuckets(store, s));
    parts[`${window}/latencyByBucket`] = await timed(() => source.latency(store, s, true));
    parts[`${window}/latencyByTarget`] = await timed(() => source.latency(store, s, false));
  }
  parts.pendingApprovals = await timed(() => runsInStatus(store, 'waiting_approval', {}));
  parts.stuck = await timed(() => runsInStatus(store, 'running', {}, new Date(NOW - 600_000).toISOString()));
  parts.latestEvals = await timed(() => latestEvals(store, undefined));
  return { service, parts, cold };
}

async function checkSize(store: Store) {
  const count = async (t: string) => Number(((await store.knex(t).count({ n: '*' })) as Array<{ n: unknown }>)[0]!.n);
  return { runs: await count('runs'), events: await count('run_events'), modelCalls: await count('model_calls') };
}

async function sqliteBench() {
  let seedSeconds = 0;
  let size = {};
  const stack = await startThrowawayStack({
    taskQueue: 'overview',
    withWorker: false,
    seed: async (store) => {
      seedSeconds = await seed(store);
      size = await checkSize(store);
    },
  });
  try {
    const { service, parts, cold } = await measureService(stack.store);
    const headers = { authorization: `Bearer ${TOKEN}` };
    const cases: Record<string, Case> = {};
    for (const window of Object.keys(WINDOWS))
      for (const [name, filter] of Object.entries(FILTERS)) {
        const url = `${stack.backend.url}/api/overview?${new URLSearchParams({ window, ...filter })}`;
        cases[`${window}/${name}`] = {
          fn: async () => {
            const res = await fetch(url, { headers });
            if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
            await res.text();
          },
        };
      }
    const http = await timedRounds(cases);
    return { store: { ...size, seedSeconds }, coldRefresh: cold, service, http, parts };
  } finally {
    await stack.close();
  }
}

async function postgresBench() {
  const name = `vloop_bench_overview_${Date.now().toString(36)}`;
  const admin = knexFactory({ client: 'pg', connection: PG_ADMIN });
  await admin.raw(`create database ${name}`);
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  const store = openStore({ dialect: 'postgres', url: url.toString() });
  try {
    await migrate(store);
    const seedSeconds = await seed(store);
    const size = await checkSize(store);
    const { service, parts, cold } = await measureService(store);
    return { store: { ...size, seedSeconds }, coldRefresh: cold, service, parts };
  } finally {
    await store.close();
    await admin.raw(`drop database if exists ${name} with (force)`);
    await admin.destroy();
  }
}

const worst = (m: Record<string, { p95Ms: number }>) => Math.max(...Object.values(m).map((v) => v.p95Ms));
const results: Record<string, unknown> = {};
if (DIALECTS.includes('sqlite')) {
  const r = await sqliteBench();
  results.sqlite = { ...r, worstServiceP95Ms: worst(r.service), worstHttpP95Ms: worst(r.http) };
}
if (DIALECTS.includes('postgres')) {
  const r = await postgresBench();
  results.postgres = { ...r, worstServiceP95Ms: worst(r.service) };
}
console.log(
  JSON.stringify({
    bench: 'overview',
    iterations: ITERATIONS,
    cpus: os.cpus().length,
    ...results,
    goals: { p95Ms: 100 },
  }),
);
