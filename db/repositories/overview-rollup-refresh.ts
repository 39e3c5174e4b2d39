// Bring the overview's 6-hour rollups up to date: every bucket with a marked hour (db/migrations/021_overview_rollups.ts
// and 022 mark them, with the target a change moves) is recomputed for its marked targets from the runs and model
// calls, and only the marks it read are cleared, so a change committed meanwhile keeps its mark and is counted by the
// next refresh (docs/decisions/0020-overview-rollups.md).
import type { Knex } from 'knex';
import { addEncoded, encodeSketch, slotOf } from '../../core/latency-sketch.js';
import type { Store } from '../knex.js';
import { wallMs } from './overview.js';

const HOUR = 3_600_000;
/** The rollups' grain in hours: the week's bucket; the 30-day window's day is four of them. */
export const GRAIN_HOURS = 6;
/** Marks and rollups older than the longest window (and a day of slack) are never read again. */
const KEPT_MS = 31 * 24 * HOUR;
/** One key for the refresh's advisory lock on PostgreSQL (several backends may share a database). */
const REFRESH_LOCK = 35_0020;

/** The 6-hour bucket ('YYYY-MM-DDTHH') an ISO time or hour falls in. */
function bucketOf(time: string): string {
  return `${time.slice(0, 11)}${String(Math.floor(Number(time.slice(11, 13)) / GRAIN_HOURS) * GRAIN_HOURS).padStart(2, '0')}`;
}

const startOf = (bucket: string) => `${bucket}:00:00.000Z`;
const endOf = (bucket: string) => new Date(Date.parse(startOf(bucket)) + GRAIN_HOURS * HOUR).toISOString();

/** Where a run came from, as the overview's origin filter tells it apart: an app's runs of any version are one. */
const originClassSql = (column: string) =>
  `case when ${column} like 'eval:%' then 'eval' when ${column} like 'optimize:%' then 'optimize' ` +
  `when ${column} like 'experiment:%' then 'experiment' ` +
  `when ${column} like 'app:%' then rtrim(${column}, '0123456789') else '' end`;

interface Cell {
  bucket: string;
  provider: string;
  model: string;
  targetName: string;
  originClass: string;
  forked: number;
}
type RunCell = Cell & { runs: number; failed: number; ended: number; latency: Buffer };
type UsageCell = Cell & { inputTokens: number; outputTokens: number; costUsd: number };

/** The columns that name a cell within its bucket (the tables' keys). */
const KEY = ['bucket', 'provider', 'model', 'targetName', 'originClass', 'forked'] as const;
const keyOf = (c: Cell) => `${c.provider}\u0000${c.model}\u0000${c.targetName}\u0000${c.originClass}\u0000${c.forked}`;

/** The targets a refresh recomputes ('' for runs without one); null for every target. */
type Targets = Set<string> | null;
/** Past this many targets a bucket is recomputed whole: one scan instead of a long list. */
const MAX_TARGETS = 50;

/** Only the rows of the targets (of `alias`'s target_name, or the cells' own), unless every target. */
function ofTargets(db: Knex, q: Knex.QueryBuilder, alias: string | null, targets: Targets): Knex.QueryBuilder {
  if (!targets) return q;
  return q.whereIn(db.raw(`coalesce(${alias ? `${alias}.` : ''}target_name, '')`) as never, [...targets]);
}

interface RunFact {
  id: string;
  target: string;
  originClass: string;
  forked: number;
  failed: number;
  wallMs: number | null;
}

/** A run with no call counts in the any-provider, any-model cell alone. */
const ANY: Array<[string, string]> = [['*', '*']];

/** The bucket's runs of the targets, and the provider and model of each call they made. */
async function runFacts(db: Knex, dialect: Store['dialect'], bucket: string, targets: Targets) {
  const inBucket = (q: Knex.QueryBuilder) =>
    ofTargets(
      db,
      q
        .where('r.created_at', '>=', startOf(bucket))
        .where('r.created_at', '<', endOf(bucket))
        .whereNull('r.archived_at'),
      'r',
      targets,
    );
  const runsRead = inBucket(db('runs as r')).select(
    'r.id',
    db.raw(`coalesce(r.target_name, '') as target`),
    db.raw(`${originClassSql('r.origin')} as origin_class`),
    db.raw('case when r.fork_of_run is null then 0 else 1 end as forked'),
    db.raw(`case when r.status = 'failed' then 1 else 0 end as failed`),
    db.raw(`case when r.ended_at is null then null else ${wallMs(dialect)} end as wall_ms`),
  );
  // Each run's calls found by its id: PostgreSQL's planner would otherwise scan every call to hash-join a bucket's
  // few hundred runs (30 ms instead of 3 at 200k calls). SQLite's nested loop does this on its own.
  const callsRead =
    dialect === 'postgres'
      ? inBucket(db('runs as r'))
          .joinRaw('cross join lateral (select distinct provider, model from model_calls m where m.run_id = r.id) c')
          .select('r.id as run_id', 'c.provider', 'c.model')
      : inBucket(db('model_calls as c').join('runs as r', 'r.id', 'c.run_id')).distinct(
          'c.run_id',
          'c.provider',
          'c.model',
        );
  return (await Promise.all([runsRead, callsRead])) as [
    RunFact[],
    Array<{ runId: string; provider: string; model: string }>,
  ];
}

/** Each run counts in the any/any cell, and once in each provider and each model it made a call with. */
async function runCells(db: Knex, dialect: Store['dialect'], bucket: string, targets: Targets): Promise<RunCell[]> {
  const [runs, calls] = await runFacts(db, dialect, bucket, targets);
  const dims = new Map<string, Array<[string, string]>>();
  for (const c of calls) {
    const list = dims.get(c.runId) ?? [['*', '*']];
    if (!list.some(([p, m]) => p === c.provider && m === '*')) list.push([c.provider, '*']);
    if (!list.some(([p, m]) => p === '*' && m === c.model)) list.push(['*', c.model]);
    dims.set(c.runId, list);
  }
  // A live refresh recomputes a whole bucket's runs (hundreds) before the overview reads: one key string and one slot
  // per run and cell, and an object only for a cell first seen.
  const cells = new Map<string, RunSum>();
  for (const r of runs) {
    const forked = Number(r.forked);
    const failed = Number(r.failed);
    const ended = r.wallMs !== null;
    const slot = ended ? slotOf(Number(r.wallMs)) : null;
    const rest = `\u0000${r.target}\u0000${r.originClass}\u0000${forked}`;
    for (const [provider, model] of dims.get(r.id) ?? ANY) {
      const key = `${provider}\u0000${model}${rest}`;
      let sum = cells.get(key);
      if (!sum) {
        const cell = { bucket, provider, model, targetName: r.target, originClass: r.originClass, forked };
        cells.set(key, (sum = { ...cell, runs: 0, failed: 0, ended: 0, zero: 0, slots: new Map() }));
      }
      sum.runs += 1;
      sum.failed += failed;
      if (!ended) continue;
      sum.ended += 1;
      if (slot === null) sum.zero += 1;
      else sum.slots.set(slot, (sum.slots.get(slot) ?? 0) + 1);
    }
  }
  return [...cells.values()].map(encoded);
}

/** A run cell being summed: its counts and its sketch's zero count and slots. */
type RunSum = Omit<RunCell, 'latency'> & { zero: number; slots: Map<number, number> };

const encoded = ({ zero, slots, ...cell }: RunSum): RunCell => ({
  ...cell,
  latency: Buffer.from(encodeSketch(zero, slots)),
});

/** Model calls made in the bucket, summed per provider, model, target and their run's origin. */
async function usageCells(db: Knex, bucket: string, targets: Targets): Promise<UsageCell[]> {
  // Each call's run found by its id, once: PostgreSQL's planner would hash every run to join a few hundred calls. Its
  // fork flag and origin class as one string ('1eval'), one lookup instead of two.
  const runOf = `(select case when r.fork_of_run is null then '0' else '1' end || ${originClassSql('r.origin')}
    from runs r where r.id = c.run_id)`;
  const rows = (await ofTargets(db, db('model_calls as c'), 'c', targets)
    .where('c.at', '>=', startOf(bucket))
    .where('c.at', '<', endOf(bucket))
    .select(
      'c.provider',
      'c.model',
      db.raw(`coalesce(c.target_name, '') as target_name`),
      db.raw(`coalesce(${runOf}, '0') as fork_origin`),
      db.raw('sum(c.input_tokens) as input_tokens'),
      db.raw('sum(c.output_tokens) as output_tokens'),
      db.raw('sum(c.cost_usd) as cost_usd'),
    )
    .groupByRaw('1, 2, 3, 4')) as Array<Omit<UsageCell, 'bucket' | 'originClass' | 'forked'> & { forkOrigin: string }>;
  const cells = rows.map(({ forkOrigin, ...r }) => ({
    ...r,
    bucket,
    originClass: forkOrigin.slice(1),
    forked: Number(forkOrigin[0]),
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    costUsd: Number(r.costUsd),
  }));
  // And the same over every origin (class '*', fork flag -1): what a window without an origin filter reads, a third
  // of the cells. No origin filter matches them.
  const anyOrigin = new Map<string, UsageCell>();
  for (const c of cells) {
    const key = `${c.provider}\u0000${c.model}\u0000${c.targetName}`;
    const sum = anyOrigin.get(key) ?? {
      ...c,
      originClass: '*',
      forked: -1,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
    };
    sum.inputTokens += c.inputTokens;
    sum.outputTokens += c.outputTokens;
    sum.costUsd += c.costUsd;
    anyOrigin.set(key, sum);
  }
  return [...cells, ...anyOrigin.values()];
}

const sameRuns = (a: RunCell, b: RunCell) =>
  a.runs === b.runs && a.failed === b.failed && a.ended === b.ended && Buffer.compare(a.latency, b.latency) === 0;
// PostgreSQL reads a bigint back as text.
const sameUsage = (a: UsageCell, b: UsageCell) =>
  Number(a.inputTokens) === b.inputTokens &&
  Number(a.outputTokens) === b.outputTokens &&
  Number(a.costUsd) === b.costUsd;

/**
 * Make a bucket's stored cells these: write the cells that changed, delete those that are gone. A change to one run
 * moves a few cells of the hundreds a bucket has.
 */
async function replaceCells<C extends Cell>(
  trx: Knex,
  table: string,
  [fresh, before]: [C[], C[]],
  same: (a: C, b: C) => boolean,
): Promise<number> {
  const stored = new Map(before.map((c) => [keyOf(c), c]));
  const changed = fresh.filter((c) => {
    const old = stored.get(keyOf(c));
    stored.delete(keyOf(c));
    return !old || !same({ ...old, forked: Number(old.forked) }, c);
  });
  for (const gone of stored.values())
    await trx(table)
      .where(Object.fromEntries(KEY.map((k) => [k, gone[k]])))
      .delete();
  for (let i = 0; i < changed.length; i += 200)
    await trx(table)
      .insert(changed.slice(i, i + 200))
      .onConflict([...KEY])
      .merge();
  return changed.length + stored.size;
}

const USAGE_COLUMNS = 'provider, model, target_name, origin_class, forked';

/** A day's usage cells of the targets: the sums of its four buckets' cells. */
async function sumDay(trx: Knex, day: string, targets: Targets): Promise<void> {
  await ofTargets(trx, trx('overview_usage_daily').where('bucket', day), null, targets).delete();
  const sums = ofTargets(trx, trx('overview_usage'), null, targets)
    .where('bucket', '>=', `${day}T`)
    .where('bucket', '<', `${day}U`)
    .select(
      trx.raw('? as bucket', [day]),
      trx.raw(USAGE_COLUMNS),
      trx.raw('sum(input_tokens), sum(output_tokens), sum(cost_usd)'),
    )
    .groupByRaw(USAGE_COLUMNS);
  const { sql, bindings } = sums.toSQL();
  await trx.raw(
    `insert into overview_usage_daily (bucket, ${USAGE_COLUMNS}, input_tokens, output_tokens, cost_usd) ${sql}`,
    bindings,
  );
}

/** A day's run cells of the targets: each cell's four buckets merged, so the 30-day window reads a quarter of the rows. */
async function mergeDay(trx: Knex, day: string, targets: Targets): Promise<void> {
  const inDay = (table: string) => ofTargets(trx, trx(table), null, targets);
  const [buckets, stored] = (await Promise.all([
    inDay('overview_runs').where('bucket', '>=', `${day}T`).where('bucket', '<', `${day}U`),
    inDay('overview_runs_daily').where('bucket', day),
  ])) as [RunCell[], RunCell[]];
  const sums = new Map<string, RunSum>();
  for (const c of buckets) {
    const key = keyOf(c);
    let sum = sums.get(key);
    if (!sum) {
      const cell = { ...c, bucket: day, forked: Number(c.forked), runs: 0, failed: 0, ended: 0 };
      sums.set(key, (sum = { ...cell, zero: 0, slots: new Map() }));
    }
    sum.runs += c.runs;
    sum.failed += c.failed;
    sum.ended += c.ended;
    sum.zero += addEncoded(sum.slots, c.latency);
  }
  await replaceCells(trx, 'overview_runs_daily', [[...sums.values()].map(encoded), stored], sameRuns);
}

/** A bucket's marks: their ids, and the targets they name (null: a mark of the whole hour, so every target). */
interface BucketMarks {
  ids: number[];
  targets: Targets;
}

/** The marks of a window's hours, by bucket. */
async function marksIn(db: Knex, from: string, to: string): Promise<Map<string, BucketMarks>> {
  const rows = (await db('overview_dirty')
    .where('hour', '>=', from.slice(0, 13))
    .where('hour', '<', to.slice(0, 13))
    .select('id', 'hour', 'targetName')) as Array<{ id: number | string; hour: string; targetName: string | null }>;
  const byBucket = new Map<string, BucketMarks>();
  for (const r of rows) {
    const bucket = bucketOf(r.hour);
    let marks = byBucket.get(bucket);
    if (!marks) byBucket.set(bucket, (marks = { ids: [], targets: new Set() }));
    marks.ids.push(Number(r.id));
    if (r.targetName === null) marks.targets = null;
    else marks.targets?.add(r.targetName);
  }
  for (const marks of byBucket.values()) if ((marks.targets?.size ?? 0) > MAX_TARGETS) marks.targets = null;
  return byBucket;
}

/** A bucket's cells (of the marked targets) as computed now and as stored: only the refresher writes the stored ones. */
interface BucketCells {
  runs: [RunCell[], RunCell[]];
  usage: [UsageCell[], UsageCell[]];
}

async function bucketCells(
  db: Knex,
  dialect: Store['dialect'],
  bucket: string,
  targets: Targets,
): Promise<BucketCells> {
  const stored = (table: string) => ofTargets(db, db(table).where('bucket', bucket), null, targets);
  const [runs, usage, storedRuns, storedUsage] = await Promise.all([
    runCells(db, dialect, bucket, targets),
    usageCells(db, bucket, targets),
    stored('overview_runs') as Promise<RunCell[]>,
    stored('overview_usage') as Promise<UsageCell[]>,
  ]);
  return { runs: [runs, storedRuns], usage: [usage, storedUsage] };
}

/** Replace a bucket's cells and clear the marks it was computed for, in one transaction. */
async function writeBucket(
  trx: Knex,
  dialect: Store['dialect'],
  bucket: string,
  cells: BucketCells,
  marks: BucketMarks,
) {
  // The marks first: on SQLite the transaction's first statement must write, or it may find the store moved on when
  // it comes to write and fail (SQLITE_BUSY_SNAPSHOT); a write first takes the lock, waiting for it if need be.
  if (dialect === 'postgres') await trx.raw('delete from overview_dirty where id = any(?::bigint[])', [marks.ids]);
  else
    await trx.raw('delete from overview_dirty where id in (select value from json_each(?))', [
      JSON.stringify(marks.ids),
    ]);
  // A whole bucket recomputed (after a migration, or many targets) merges its day even if no cell moved.
  if ((await replaceCells(trx, 'overview_runs', cells.runs, sameRuns)) || !marks.targets)
    await mergeDay(trx, bucket.slice(0, 10), marks.targets);
  if (await replaceCells(trx, 'overview_usage', cells.usage, sameUsage))
    await sumDay(trx, bucket.slice(0, 10), marks.targets);
}

async function refreshBuckets(store: Store, from: string, to: string): Promise<number> {
  const { knex, dialect } = store;
  // By the clock, not the window asked for: a window of another time must not age out today's marks.
  const oldest = new Date(Date.now() - KEPT_MS).toISOString().slice(0, 13);
  const marked = await marksIn(knex, from, to);
  // Nothing marked: nothing to lock or recompute (the common case when nothing ran since the last look).
  if (!marked.size) return 0;
  if (dialect === 'postgres')
    // One refresher at a time across backends; read committed, so every read after the lock sees every committed mark.
    return knex.transaction(async (trx) => {
      // Derived data, written with its marks' deletion: a commit lost in a crash brings both back, so no flush waits.
      await trx.raw(`select pg_advisory_xact_lock(?), set_config('synchronous_commit', 'off', true)`, [REFRESH_LOCK]);
      const marks = await marksIn(trx, from, to);
      for (const [bucket, m] of marks) {
        // Read on other connections of the pool, side by side: they start after the lock, so they see every
        // change the marks read stand for.
        await writeBucket(trx, dialect, bucket, await bucketCells(knex, dialect, bucket, m.targets), m);
      }
      await prune(store, trx, oldest);
      return marks.size;
    });
  // SQLite: read outside a transaction (a deferred one would fail to write once a worker's append moved the store on),
  // then write each bucket in a short one. This process's refreshes are one at a time, so the marks read stand.
  for (const [bucket, m] of marked) {
    const cells = await bucketCells(knex, dialect, bucket, m.targets);
    await knex.transaction((trx) => writeBucket(trx, dialect, bucket, cells, m));
  }
  await prune(store, knex, oldest);
  return marked.size;
}

/** When each store was last pruned: an hour's marks and rollups age out in an hour, so once an hour is enough. */
const pruned = new WeakMap<Store, number>();

async function prune(store: Store, db: Knex, oldestHour: string): Promise<void> {
  if (Date.now() - (pruned.get(store) ?? 0) < HOUR) return;
  pruned.set(store, Date.now());
  await db('overview_dirty').where('hour', '<', oldestHour).delete();
  for (const table of ['overview_runs', 'overview_runs_daily', 'overview_usage', 'overview_usage_daily'])
    await db(table).where('bucket', '<', oldestHour).delete();
}

/** One refresh at a time per store in this process; each waits for the one before it. */
const running = new WeakMap<Store, Promise<unknown>>();

/** Recompute the marked buckets of [from, to) (bucket-aligned ISO times); returns how many were recomputed. */
export function refreshOverviewRollups(store: Store, from: string, to: string): Promise<number> {
  const next = (running.get(store) ?? Promise.resolve()).then(
    () => refreshBuckets(store, from, to),
    () => refreshBuckets(store, from, to),
  );
  running.set(store, next);
  return next;
}
