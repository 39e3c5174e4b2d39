// What needs a look now: runs waiting for approval, running, stuck; and the latest evals beside the one before each.
// Few rows each, found through the status and kind indexes (db/migrations/016_overview.ts).
import type { RunStatus } from '../../core/run-story/status.js';
import type { Store } from '../knex.js';
import { filterRuns, type RunFilter } from './runs.js';
import { loadLargeValues } from './stored-values.js';

/** How many runs of a status list shows. */
const SHOWN = 10;

export interface RunsNow {
  count: number;
  runs: Array<{ id: string; target: string | null; startedAt: string | null; updatedAt: string }>;
}

/** Runs in a status (under the overview's filters), those not written since `quietSince` when given: a count and the latest. */
export async function runsInStatus(
  store: Store,
  status: RunStatus,
  filter: Pick<RunFilter, 'target' | 'origin' | 'provider' | 'model'>,
  quietSince?: string,
): Promise<RunsNow> {
  const q = filterRuns(store.knex('runs'), { ...filter, status, topLevel: !filter.origin }, store.dialect).clearOrder();
  if (quietSince) q.where('updatedAt', '<', quietSince);
  const [counted] = (await q.clone().count('* as n')) as Array<{ n: unknown }>;
  const runs = (await q
    .select('id', store.knex.raw('target_name as target'), 'startedAt', 'updatedAt')
    .orderBy('updatedAt', 'desc')
    .limit(SHOWN)) as RunsNow['runs'];
  return { count: Number(counted?.n ?? 0), runs };
}

export interface EvalScores {
  runId: string;
  target: string | null;
  dataset: string | null;
  createdAt: string;
  scores: Record<string, number>;
}

const datasetSql = (dialect: Store['dialect']) =>
  dialect === 'sqlite' ? "json_extract(inputs, '$.dataset')" : "(inputs::jsonb)->>'dataset'";

/** An eval's mean per metric, from the aggregates its run's outputs carry. */
async function scoresOf(store: Store, outputs: unknown): Promise<Record<string, number>> {
  const parsed = typeof outputs === 'string' ? (JSON.parse(outputs) as unknown) : outputs;
  const loaded = (await loadLargeValues(store.knex, parsed)) as {
    aggregates?: Record<string, { mean?: number }>;
  } | null;
  const scores: Record<string, number> = {};
  for (const [metric, a] of Object.entries(loaded?.aggregates ?? {}))
    if (typeof a?.mean === 'number') scores[metric] = a.mean;
  return scores;
}

/** Completed evals, newest first: the latest `limit` (of a target), or the one before `before` of its target and dataset. */
async function completedEvals(
  store: Store,
  where: { target?: string | null | undefined; dataset?: string | null; before?: string },
  limit: number,
): Promise<EvalScores[]> {
  const q = store
    .knex('runs')
    .where({ kind: 'eval', status: 'completed' })
    .whereNull('archivedAt')
    .select(
      'id',
      store.knex.raw('target_name as target'),
      store.knex.raw(`${datasetSql(store.dialect)} as dataset`),
      'createdAt',
      'outputs',
    )
    .orderBy('createdAt', 'desc')
    .limit(limit);
  if (where.target) q.where('targetName', where.target);
  if (where.dataset) q.whereRaw(`${datasetSql(store.dialect)} = ?`, [where.dataset]);
  if (where.before) q.where('createdAt', '<', where.before);
  const rows = (await q) as Array<Omit<EvalScores, 'scores' | 'runId'> & { id: string; outputs: unknown }>;
  return Promise.all(
    rows.map(async (r) => ({
      runId: r.id,
      target: r.target,
      dataset: r.dataset,
      createdAt: r.createdAt,
      scores: await scoresOf(store, r.outputs),
    })),
  );
}

/** The latest evals (of a target), each beside the eval before it of the same target and dataset. */
export async function latestEvals(store: Store, target: string | undefined, limit = 5) {
  const latest = await completedEvals(store, { target }, limit);
  return Promise.all(
    latest.map(async (e) => {
      const [previous] = await completedEvals(store, { target: e.target, dataset: e.dataset, before: e.createdAt }, 1);
      return { ...e, previous: previous ? { runId: previous.runId, scores: previous.scores } : null };
    }),
  );
}
