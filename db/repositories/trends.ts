// Runs of one component or pipeline, through the index on the target's type and name (db/migrations/018_trends.ts).
import type { Knex } from 'knex';
import type { TrendRun } from '../../core/trends.js';
import type { Store } from '../knex.js';

export type TrendKind = 'component' | 'pipeline';

/** The target's field as SQL; `type` and `name` are written as the index is, so the planner uses it. */
function targetField(store: Store, field: 'name' | 'type' | 'version'): string {
  if (store.dialect === 'sqlite') return `json_extract(target, '$.${field}')`;
  return field === 'version' ? "((target::jsonb)->>'version')::int" : `(target::jsonb)->>'${field}'`;
}

/** Unarchived runs of one kind of target by name, of the given run kinds: a query to narrow and select from. */
export function targetRuns(store: Store, type: TrendKind, name: string, kinds: string[]): Knex.QueryBuilder {
  return store
    .knex('runs')
    .whereRaw(`${targetField(store, 'type')} = ?`, [type])
    .whereRaw(`${targetField(store, 'name')} = ?`, [name])
    .whereIn('kind', kinds)
    .whereNull('archivedAt');
}

/** The runs of a target since an instant, as a trend reads them. */
export async function trendRuns(
  store: Store,
  target: { type: TrendKind; name: string },
  kinds: string[],
  since: string,
): Promise<TrendRun[]> {
  const rows = (await targetRuns(store, target.type, target.name, kinds)
    .where('createdAt', '>=', since)
    .select(
      store.knex.raw(`${targetField(store, 'version')} as version`),
      'status',
      'createdAt',
      'startedAt',
      'endedAt',
      'costUsd',
    )) as TrendRun[];
  return rows.map((r) => ({ ...r, version: Number(r.version), costUsd: Number(r.costUsd) }));
}

export interface EvalRow {
  id: string;
  version: number;
  status: string;
  createdAt: string;
  inputs: { dataset?: string; split?: string };
  outputs: unknown;
}

const EVAL_COLUMNS = ['id', 'status', 'createdAt', 'inputs', 'outputs'];

function evalRows(rows: Array<Record<string, unknown>>): EvalRow[] {
  return rows.map((r) => ({
    id: String(r.id),
    version: Number(r.version),
    status: String(r.status),
    createdAt: String(r.createdAt),
    inputs: JSON.parse(String(r.inputs)) as EvalRow['inputs'],
    outputs: r.outputs === null ? null : (JSON.parse(String(r.outputs)) as unknown),
  }));
}

/** A target's evals, newest first (at most `limit`). */
export async function evalsOfTarget(
  store: Store,
  target: { type: TrendKind; name: string },
  limit = 500,
): Promise<EvalRow[]> {
  const rows = await targetRuns(store, target.type, target.name, ['eval'])
    .orderBy([
      { column: 'createdAt', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(limit)
    .select(...EVAL_COLUMNS, store.knex.raw(`${targetField(store, 'version')} as version`));
  return evalRows(rows);
}

/** The latest completed eval of a target on a dataset's split that started before the given eval. */
export async function completedEvalBefore(
  store: Store,
  target: { type: TrendKind; name: string },
  of: { id: string; createdAt: string; dataset: string; split: string },
): Promise<EvalRow | undefined> {
  const input = (field: string) =>
    store.dialect === 'sqlite' ? `json_extract(inputs, '$.${field}')` : `(inputs::jsonb)->>'${field}'`;
  const rows = await targetRuns(store, target.type, target.name, ['eval'])
    .where('status', 'completed')
    .where((q) =>
      q
        .where('createdAt', '<', of.createdAt)
        .orWhere((same) => same.where('createdAt', of.createdAt).where('id', '<', of.id)),
    )
    .whereRaw(`${input('dataset')} = ?`, [of.dataset])
    .whereRaw(`${input('split')} = ?`, [of.split])
    .orderBy([
      { column: 'createdAt', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(1)
    .select(...EVAL_COLUMNS, store.knex.raw(`${targetField(store, 'version')} as version`));
  return evalRows(rows)[0];
}
