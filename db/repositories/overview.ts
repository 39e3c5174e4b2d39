// The overview's window queries: runs, usage and latency grouped by time bucket in the database, read from the
// indexes db/migrations/016_overview.ts made (docs/decisions/0018-overview-rollups.md); a few rows come back, not runs.
import type { Knex } from 'knex';
import type { Store } from '../knex.js';
import { filterRuns, type RunFilter } from './runs.js';

/** A time bucket as SQL sees an ISO time: its first `prefixLen` characters, then the next two divided by `divisor`. */
export interface BucketKey {
  prefixLen: number;
  divisor: number;
}

/** The window and the filters every overview query takes. */
export interface OverviewScope {
  from: string;
  to: string;
  bucket: BucketKey;
  target?: string | undefined;
  origin?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
}

/** The bucket of an ISO time column, as text (the same SQL on SQLite and PostgreSQL). */
export function bucketSql(column: string, { prefixLen, divisor }: BucketKey): string {
  const prefix = `substr(${column}, 1, ${prefixLen})`;
  if (divisor === 1) return prefix;
  return `${prefix} || '|' || cast(cast(substr(${column}, ${prefixLen + 1}, 2) as integer) / ${divisor} as text)`;
}

/** A run's wall time in milliseconds, started (created, if it never started) to ended. */
export const wallMs = (dialect: Store['dialect']) =>
  dialect === 'sqlite'
    ? '(julianday(ended_at) - julianday(coalesce(started_at, created_at))) * 86400000.0'
    : 'extract(epoch from (ended_at::timestamptz - coalesce(started_at, created_at)::timestamptz)) * 1000';

/** The SQL standard's continuous percentile, as each dialect spells it. */
export const percentile = (dialect: Store['dialect'], p: number, expr: string) =>
  dialect === 'sqlite' ? `percentile_cont(${expr}, ${p})` : `percentile_cont(${p}) within group (order by ${expr})`;

/** The runs in the window under the scope's filters, as the runs list finds them (top level unless an origin is named). */
function windowRuns(store: Store, s: OverviewScope): Knex.QueryBuilder {
  const filter: RunFilter = {
    since: s.from,
    until: s.to,
    target: s.target,
    origin: s.origin,
    provider: s.provider,
    model: s.model,
    topLevel: !s.origin,
  };
  return filterRuns(store.knex('runs'), filter, store.dialect).clearOrder();
}

export interface RunBucketRow {
  bucket: string;
  target: string | null;
  appOrigin: string | null;
  total: number;
  failed: number;
}

/** Runs and failed runs per bucket, target and app origin (the charts and the options fold these few rows). */
export async function runBuckets(store: Store, s: OverviewScope): Promise<RunBucketRow[]> {
  const bucket = bucketSql('created_at', s.bucket);
  const rows = (await windowRuns(store, s)
    .select(
      store.knex.raw(`${bucket} as bucket`),
      store.knex.raw('target_name as target'),
      store.knex.raw(`case when origin like 'app:%' then origin end as app_origin`),
      store.knex.raw('count(*) as total'),
      store.knex.raw(`sum(case when status = 'failed' then 1 else 0 end) as failed`),
    )
    .groupByRaw('1, 2, 3')) as Array<{
    bucket: string;
    target: string | null;
    appOrigin: string | null;
    total: unknown;
    failed: unknown;
  }>;
  return rows.map((r) => ({ ...r, total: Number(r.total), failed: Number(r.failed) }));
}

export interface LatencyRow {
  bucket?: string;
  target: string | null;
  runs: number;
  p50Ms: number;
  p95Ms: number;
}

/** Wall-time percentiles of the window's ended runs, per target, and per bucket when `byBucket`. */
export async function latency(store: Store, s: OverviewScope, byBucket: boolean): Promise<LatencyRow[]> {
  const ms = wallMs(store.dialect);
  const columns = [
    ...(byBucket ? [store.knex.raw(`${bucketSql('created_at', s.bucket)} as bucket`)] : []),
    store.knex.raw('target_name as target'),
    store.knex.raw('count(*) as runs'),
    store.knex.raw(`${percentile(store.dialect, 0.5, ms)} as p50_ms`),
    store.knex.raw(`${percentile(store.dialect, 0.95, ms)} as p95_ms`),
  ];
  const rows = (await windowRuns(store, s)
    .whereNotNull('endedAt')
    .select(columns)
    .groupByRaw(byBucket ? '1, 2' : '1')) as Array<{
    bucket?: string;
    target: string | null;
    runs: unknown;
    p50Ms: unknown;
    p95Ms: unknown;
  }>;
  return rows.map((r) => ({ ...r, runs: Number(r.runs), p50Ms: Number(r.p50Ms), p95Ms: Number(r.p95Ms) }));
}

export interface UsageRow {
  bucket: string;
  provider: string;
  model: string;
  target: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Tokens and cost summed per bucket (of the time `column`), provider, model and target: calls and rollups alike. */
export function sumUsage(knex: Knex, q: Knex.QueryBuilder, column: string, key: BucketKey): Knex.QueryBuilder {
  return q
    .select(
      knex.raw(`${bucketSql(column, key)} as bucket`),
      'provider',
      'model',
      knex.raw('target_name as target'),
      knex.raw('sum(input_tokens) as input_tokens'),
      knex.raw('sum(output_tokens) as output_tokens'),
      knex.raw('sum(cost_usd) as cost_usd'),
    )
    .groupByRaw('1, 2, 3, 4');
}

/** A summed usage row as the driver gives it (PostgreSQL's sums are text; a rollup's missing target is ''). */
export function usageRow(r: Record<string, unknown>): UsageRow {
  return {
    bucket: r.bucket as string,
    provider: r.provider as string,
    model: r.model as string,
    target: (r.target as string | null) || null,
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    costUsd: Number(r.costUsd),
  };
}

/** Model calls made in the window (every run's, eval examples' too: what was spent), per bucket, provider, model and target. */
export async function usageBuckets(store: Store, s: OverviewScope): Promise<UsageRow[]> {
  const calls = store.knex('model_calls').where('at', '>=', s.from).where('at', '<', s.to);
  const q = sumUsage(store.knex, calls, 'at', s.bucket);
  if (s.provider) q.where('provider', s.provider);
  if (s.model) q.where('model', s.model);
  if (s.target) q.where('targetName', s.target);
  // Probed by id for each call of the window: the origin alone would scan every run.
  if (s.origin)
    q.whereExists(
      filterRuns(store.knex('runs'), { origin: s.origin, archived: 'include' }, store.dialect)
        .clearOrder()
        .whereRaw('runs.id = model_calls.run_id', [])
        .select(store.knex.raw('1')),
    );
  return ((await q) as Array<Record<string, unknown>>).map(usageRow);
}
