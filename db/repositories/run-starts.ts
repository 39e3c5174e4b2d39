// Workflow starts not yet acknowledged by Temporal (020_run_starts): written before the start, dropped after.
import { terminalStatuses } from '../../core/run-story/status.js';
import type { Store } from '../knex.js';

export interface PendingStart {
  runId: string;
  /** The workflow type (the workflow function's name). */
  workflow: string;
  input: unknown;
}

export async function savePendingStart(store: Store, s: PendingStart): Promise<void> {
  await store.knex('run_starts').insert({
    runId: s.runId,
    workflow: s.workflow,
    input: JSON.stringify(s.input),
    createdAt: new Date().toISOString(),
  });
}

export async function pendingStart(store: Store, runId: string): Promise<PendingStart | undefined> {
  const row = await store.knex('run_starts').where('runId', runId).first('workflow', 'input');
  return row ? { runId, workflow: row.workflow, input: JSON.parse(row.input) } : undefined;
}

export async function dropPendingStart(store: Store, runId: string): Promise<void> {
  await store.knex('run_starts').where('runId', runId).delete();
}

/** Pending starts of runs that have ended: their start was acknowledged but not yet dropped when the backend stopped. */
export async function dropSettledStarts(store: Store): Promise<void> {
  await store
    .knex('run_starts')
    .whereIn(
      'runId',
      store
        .knex('runs')
        .select('id')
        .whereIn('status', terminalStatuses as string[]),
    )
    .delete();
}
