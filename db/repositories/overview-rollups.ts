// The overview's long windows read from the 6-hour rollups (db/repositories/overview-rollup-refresh.ts keeps them):
// the same rows as db/repositories/overview.ts's window queries, from a few thousand cells instead of every run.
// Counts, tokens and cost are exact; percentiles are within core/latency-sketch.ts's ACCURACY.
import type { Knex } from 'knex';
import { countOf, emptySketch, mergeEncoded, quantiles, type LatencySketch } from '../../core/latency-sketch.js';
import type { Store } from '../knex.js';
import {
  bucketSql,
  sumUsage,
  usageRow,
  type BucketKey,
  type LatencyRow,
  type OverviewScope,
  type RunBucketRow,
  type UsageRow,
} from './overview.js';

/**
 * Whether the cells' keys tell the scope apart: a provider or a model (not both: runs that made one call with both),
 * and an origin of a kind (an app's runs of any version, evals', forks'), not an exact app version or one run's children.
 */
export function rollupsAnswer(s: Pick<OverviewScope, 'origin' | 'provider' | 'model'>): boolean {
  const o = s.origin;
  const origin =
    o === undefined || ['app', 'eval', 'optimize', 'experiment', 'fork'].includes(o) || /^app:[^%_]+@$/.test(o);
  return origin && !(s.provider && s.model);
}

/** The window's cells under the scope's target and origin (`listed`: runs as the runs list shows them, top level). */
function cells(store: Store, table: string, s: OverviewScope, listed: boolean): Knex.QueryBuilder {
  const [from, to] = table.endsWith('_daily')
    ? [s.from.slice(0, 10), s.to.slice(0, 10)]
    : [s.from.slice(0, 13), s.to.slice(0, 13)];
  const q = store.knex(table).where('bucket', '>=', from).where('bucket', '<', to);
  if (s.target) q.where('targetName', s.target);
  if (s.origin === 'fork') q.where('forked', 1);
  else if (s.origin === 'app') q.where('originClass', 'like', 'app:%');
  else if (s.origin) q.where('originClass', s.origin);
  else if (listed) q.whereNotIn('originClass', ['eval', 'optimize', 'experiment']);
  // Usage of every origin: its cells summed over them.
  else q.where('originClass', '*');
  return q;
}

/** Run cells: '*' is any provider or model. */
const listedRunCells = (store: Store, s: OverviewScope) =>
  // A window of days reads the days' cells.
  cells(store, s.bucket.prefixLen === 10 ? 'overview_runs_daily' : 'overview_runs', s, true)
    .where('provider', s.provider ?? '*')
    .where('model', s.model ?? '*');

const orNull = (v: string) => (v === '' ? null : v);

export async function runBuckets(store: Store, s: OverviewScope): Promise<RunBucketRow[]> {
  const rows = (await listedRunCells(store, s)
    .select(
      store.knex.raw(`${bucketSql('bucket', s.bucket)} as bucket`),
      store.knex.raw('target_name as target'),
      store.knex.raw(`case when origin_class like 'app:%' then origin_class end as app_origin`),
      store.knex.raw('sum(runs) as total'),
      store.knex.raw('sum(failed) as failed'),
    )
    .groupByRaw('1, 2, 3')) as Array<{
    bucket: string;
    target: string;
    appOrigin: string | null;
    total: unknown;
    failed: unknown;
  }>;
  return rows.map((r) => ({ ...r, target: orNull(r.target), total: Number(r.total), failed: Number(r.failed) }));
}

/** A 6-hour bucket ('YYYY-MM-DDTHH') as the window's bucket key, as bucketSql spells it. */
function keyOf(bucket: string, { prefixLen, divisor }: BucketKey): string {
  const prefix = bucket.slice(0, prefixLen);
  return divisor === 1 ? prefix : `${prefix}|${Math.floor(Number(bucket.slice(prefixLen, prefixLen + 2)) / divisor)}`;
}

/** The ended runs' sketches of the window's cells; a request's two latency reads (by bucket, by target) share one. */
const sketchReads = new WeakMap<
  OverviewScope,
  Promise<Array<{ bucket: string; targetName: string; latency: Uint8Array }>>
>();
function sketchesOf(store: Store, s: OverviewScope) {
  let read = sketchReads.get(s);
  if (!read) {
    read = Promise.resolve(listedRunCells(store, s).where('ended', '>', 0).select('bucket', 'targetName', 'latency'));
    sketchReads.set(s, read);
    // Shared only while it is under way: a later read reads the cells again.
    void read.finally(() => sketchReads.delete(s)).catch(() => {});
  }
  return read;
}

export async function latency(store: Store, s: OverviewScope, byBucket: boolean): Promise<LatencyRow[]> {
  const merged = new Map<string, { bucket?: string; target: string; sketch: LatencySketch }>();
  for (const r of await sketchesOf(store, s)) {
    const bucket = byBucket ? keyOf(r.bucket, s.bucket) : undefined;
    const key = `${bucket ?? ''}\u0000${r.targetName}`;
    let m = merged.get(key);
    if (!m) merged.set(key, (m = { ...(byBucket ? { bucket } : {}), target: r.targetName, sketch: emptySketch() }));
    mergeEncoded(m.sketch, r.latency);
  }
  return [...merged.values()].map(({ sketch, ...m }) => {
    const [p50Ms, p95Ms] = quantiles(sketch, [0.5, 0.95]) as [number, number];
    return { ...m, target: orNull(m.target), runs: countOf(sketch), p50Ms, p95Ms };
  });
}

export async function usageBuckets(store: Store, s: OverviewScope): Promise<UsageRow[]> {
  // A window of days reads the days' sums.
  const table = s.bucket.prefixLen === 10 ? 'overview_usage_daily' : 'overview_usage';
  const q = sumUsage(store.knex, cells(store, table, s, false), 'bucket', s.bucket);
  if (s.provider) q.where('provider', s.provider);
  if (s.model) q.where('model', s.model);
  return ((await q) as Array<Record<string, unknown>>).map(usageRow);
}
