// GET /api/overview: how things are going over a window (runs, failures, usage, latency, the slowest and costliest
// targets) and what needs a look now (approvals, running and stuck runs, the latest evals against the one before).
import type { AppContext } from '../context.js';
import * as repo from '../../db/repositories/overview.js';
import * as rollups from '../../db/repositories/overview-rollups.js';
import { GRAIN_HOURS, refreshOverviewRollups } from '../../db/repositories/overview-rollup-refresh.js';
import { latestEvals, runsInStatus } from '../../db/repositories/overview-now.js';
import { overviewFrame, overviewQuery, type OverviewFrame } from './overview-window.js';

/** A running run with no event for this long is stuck. */
export const STUCK_AFTER_MS = 10 * 60_000;
/** How many targets the slowest and costliest lists show. */
const TOP = 5;

const sum = <T>(rows: T[], of: (r: T) => number) => rows.reduce((n, r) => n + of(r), 0);

function groupBy<T>(rows: T[], keyOf: (r: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const key = keyOf(r);
    const group = groups.get(key);
    if (group) group.push(r);
    else groups.set(key, [r]);
  }
  return groups;
}

/** Runs and failures in every bucket of the window (empty buckets too). */
function runSeries(frame: OverviewFrame, rows: repo.RunBucketRow[]) {
  const byStart = groupBy(rows, (r) => frame.startOf(r.bucket));
  return frame.starts.map((t) => {
    const found = byStart.get(t) ?? [];
    return { t, total: sum(found, (r) => r.total), failed: sum(found, (r) => r.failed) };
  });
}

/** Tokens and cost per bucket, provider and model (the buckets with calls). */
function usageSeries(frame: OverviewFrame, rows: repo.UsageRow[]) {
  const groups = groupBy(rows, (r) => JSON.stringify([frame.startOf(r.bucket), r.provider, r.model]));
  return [...groups.values()]
    .map((g) => ({
      t: frame.startOf(g[0]!.bucket),
      provider: g[0]!.provider,
      model: g[0]!.model,
      inputTokens: sum(g, (r) => r.inputTokens),
      outputTokens: sum(g, (r) => r.outputTokens),
      costUsd: sum(g, (r) => r.costUsd),
    }))
    .sort((a, b) => a.t.localeCompare(b.t) || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
}

/** The targets that cost most in the window; their runs are the window's runs of that target. */
function costliest(usage: repo.UsageRow[], runs: repo.RunBucketRow[]) {
  const runsOf = groupBy(runs, (r) => r.target ?? '');
  return [...groupBy(usage, (r) => r.target ?? '')]
    .map(([target, g]) => ({
      target,
      runs: sum(runsOf.get(target) ?? [], (r) => r.total),
      costUsd: sum(g, (r) => r.costUsd),
      tokens: sum(g, (r) => r.inputTokens + r.outputTokens),
    }))
    .sort((a, b) => b.costUsd - a.costUsd)
    .slice(0, TOP);
}

const ms = (n: number) => Math.round(n);

/** What the filters can be set to: what the window holds, whatever is filtered now. */
function filterOptions(runs: repo.RunBucketRow[], usage: repo.UsageRow[]) {
  const distinct = (values: Array<string | null>) => [...new Set(values.filter((v): v is string => !!v))].sort();
  const apps = distinct(runs.map((r) => r.appOrigin?.replace(/@\d*$/, '@') ?? null));
  return {
    targets: distinct(runs.map((r) => r.target)),
    providers: distinct(usage.map((r) => r.provider)),
    models: distinct(usage.map((r) => r.model)),
    origins: ['app', ...apps, 'eval', 'optimize', 'experiment', 'fork'],
  };
}

/** Windows whose buckets are whole rollup buckets (a week, 30 days) read the rollups; shorter ones read runs and calls. */
export const readsRollups = (frame: OverviewFrame) =>
  frame.bucketMs >= GRAIN_HOURS * 3_600_000 && rollups.rollupsAnswer(frame.scope);

/** Where the window's numbers come from: the rollups, brought up to date first, or the runs and calls. */
async function sourceFor(ctx: AppContext, frame: OverviewFrame) {
  if (!readsRollups(frame)) return repo;
  await refreshOverviewRollups(ctx.store, frame.from, frame.to);
  return rollups;
}

/** The numbers over the window, read from the store. */
async function windowNumbers(ctx: AppContext, frame: OverviewFrame) {
  const s = frame.scope;
  const filtered = !!(s.target || s.origin || s.provider || s.model);
  const unfiltered = { from: s.from, to: s.to, bucket: s.bucket };
  const source = await sourceFor(ctx, frame);
  const [runs, usage, latency, slowest, allRuns, allUsage] = await Promise.all([
    source.runBuckets(ctx.store, s),
    source.usageBuckets(ctx.store, s),
    source.latency(ctx.store, s, true),
    source.latency(ctx.store, s, false),
    filtered ? source.runBuckets(ctx.store, unfiltered) : undefined,
    filtered ? source.usageBuckets(ctx.store, unfiltered) : undefined,
  ]);
  return {
    runs: runSeries(frame, runs),
    usage: usageSeries(frame, usage),
    latency: latency
      .map((r) => ({ t: frame.startOf(r.bucket!), target: r.target ?? '', p50Ms: ms(r.p50Ms), p95Ms: ms(r.p95Ms) }))
      .sort((a, b) => a.t.localeCompare(b.t) || a.target.localeCompare(b.target)),
    slowestTargets: slowest
      .sort((a, b) => b.p95Ms - a.p95Ms)
      .slice(0, TOP)
      .map((r) => ({ target: r.target ?? '', runs: r.runs, p50Ms: ms(r.p50Ms), p95Ms: ms(r.p95Ms) })),
    costliestTargets: costliest(usage, runs),
    options: filterOptions(allRuns ?? runs, allUsage ?? usage),
  };
}

/** What needs a look now, under the overview's filters. */
async function nowNumbers(ctx: AppContext, frame: OverviewFrame, now: number) {
  const { target, origin, provider, model } = frame.scope;
  const filter = { target, origin, provider, model };
  const quietSince = new Date(now - STUCK_AFTER_MS).toISOString();
  const [pending, running, stuck, evals] = await Promise.all([
    runsInStatus(ctx.store, 'waiting_approval', filter),
    runsInStatus(ctx.store, 'running', filter),
    runsInStatus(ctx.store, 'running', filter, quietSince),
    latestEvals(ctx.store, target),
  ]);
  return {
    pendingApprovals: {
      count: pending.count,
      runs: pending.runs.map((r) => ({ id: r.id, target: r.target, since: r.updatedAt })),
    },
    running: {
      count: running.count,
      runs: running.runs.map((r) => ({ id: r.id, target: r.target, startedAt: r.startedAt })),
    },
    stuck: {
      count: stuck.count,
      runs: stuck.runs.map((r) => ({ id: r.id, target: r.target, lastEventAt: r.updatedAt })),
    },
    latestEvals: evals,
  };
}

/** The overview for a query (`window`, `target`, `provider`, `model`, `origin`); bad values throw the one 400. */
export async function overview(ctx: AppContext, query: unknown, now = Date.now()) {
  const frame = overviewFrame(overviewQuery.parse(query), now);
  const [numbers, current] = await Promise.all([windowNumbers(ctx, frame), nowNumbers(ctx, frame, now)]);
  return { window: frame.window, from: frame.from, to: frame.to, bucketMs: frame.bucketMs, ...numbers, ...current };
}
