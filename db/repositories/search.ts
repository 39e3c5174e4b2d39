// The command palette's lookups: runs by the start of their id (a range of the primary key, fast at any size),
// named things by name (their tables hold one row per name: a scan of them is cheap), evals by their target
// (db/migrations/018_trends.ts indexes a run's target).
import type { Knex } from 'knex';
import type { RunKind } from '../../core/specs.js';
import type { RunStatus } from '../../core/run-story/status.js';
import type { RunTarget } from '../../core/run-story/view.js';
import { LITERAL, type Store } from '../knex.js';
import { targetRuns, type TrendKind } from './trends.js';

export interface FoundRun {
  id: string;
  kind: RunKind;
  status: RunStatus;
  target: RunTarget;
  inputs: Record<string, unknown>;
}

export interface FoundHead {
  id: string;
  name: string;
  latestVersion?: number;
}

export type HeadTable = 'components' | 'pipelines' | 'apps' | 'datasets';

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * The first id after every id that starts with `prefix` (ids are lowercase letters and digits after `run_`),
 * or null when there is none to name.
 * @example prefixEnd('run_01kz') // 'run_01l'
 */
export function prefixEnd(prefix: string): string | null {
  const chars = [...prefix];
  while (chars.length && chars.at(-1) === 'z') chars.pop();
  const last = chars.pop();
  if (last === undefined || !DIGITS.includes(last)) return null;
  return chars.join('') + DIGITS[DIGITS.indexOf(last) + 1];
}

/** Runs whose id starts with `prefix`, newest first: a range scan of the primary key, checked exactly. */
export function runIdPrefixQuery(knex: Knex, prefix: string, limit: number): Knex.QueryBuilder {
  const end = prefixEnd(prefix);
  const query = knex('runs')
    .select('id', 'kind', 'status', 'target', 'inputs')
    .where('id', '>=', prefix)
    .whereRaw('substr(id, 1, ?) = ?', [prefix.length, prefix])
    .orderBy('id', 'desc')
    .limit(limit, LITERAL);
  return end ? query.where('id', '<', end) : query;
}

const parsed = (row: Record<string, unknown>): FoundRun => ({
  ...(row as unknown as FoundRun),
  target: JSON.parse(String(row.target)) as RunTarget,
  inputs: JSON.parse(String(row.inputs)) as Record<string, unknown>,
});

export async function runsByIdPrefix(store: Store, prefix: string, limit: number): Promise<FoundRun[]> {
  return ((await runIdPrefixQuery(store.knex, prefix, limit)) as Record<string, unknown>[]).map(parsed);
}

const likeText = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Rows of a named table whose name holds `text` (lowercase), or whose id is `text`. */
export async function headsByName(store: Store, table: HeadTable, text: string, limit: number): Promise<FoundHead[]> {
  const columns = table === 'datasets' ? ['id', 'name'] : ['id', 'name', 'latestVersion'];
  return (await store
    .knex(table)
    .select(columns)
    .whereRaw(`name like ? escape '\\'`, [`%${likeText(text)}%`])
    .orWhere('id', text)
    .orderBy('name')
    .limit(limit, LITERAL)) as FoundHead[];
}

/** The newest evals of these components and pipelines, newest first (through their index on the target). */
export async function evalsOfTargets(
  store: Store,
  targets: Array<{ type: TrendKind; name: string }>,
  limit: number,
): Promise<FoundRun[]> {
  const each = await Promise.all(
    targets.map(
      async ({ type, name }) =>
        (await targetRuns(store, type, name, ['eval'])
          .select('id', 'kind', 'status', 'target', 'inputs')
          .orderBy('createdAt', 'desc')
          .limit(limit, LITERAL)) as Record<string, unknown>[],
    ),
  );
  return each
    .flat()
    .sort((a, b) => String(b.id).localeCompare(String(a.id)))
    .slice(0, limit)
    .map(parsed);
}
