// What a run was asked to do (a pipeline plan, an agent's component spec): forks and diffs start here.
import type { Store } from '../knex.js';

export async function saveRunDefinition(store: Store, runId: string, definition: unknown): Promise<void> {
  await store
    .knex('run_definitions')
    .insert({ runId, definition: JSON.stringify(definition) })
    .onConflict('runId')
    .ignore();
}

export async function getRunDefinition<T>(store: Store, runId: string): Promise<T | undefined> {
  const row = await store.knex('run_definitions').where('runId', runId).first('definition');
  return row ? (JSON.parse(row.definition) as T) : undefined;
}

/** Runs forked from the given ones (one level), oldest first. */
export async function forksOf(
  store: Store,
  runIds: string[],
): Promise<Array<{ id: string; forkOfRun: string; forkOfStep: string; status: string; createdAt: string }>> {
  if (!runIds.length) return [];
  return store
    .knex('runs')
    .whereIn('forkOfRun', runIds)
    .orderBy('id')
    .select('id', 'forkOfRun', 'forkOfStep', 'status', 'createdAt');
}
