// The step cache: outputs of a model call, found again by the hash of everything that decided them.
import type { Store } from '../knex.js';
import { loadLargeValues, storeLargeValues } from './stored-values.js';

export interface CachedStep {
  runId: string;
  stepId: string;
  callId: string;
  outputs: Record<string, unknown>;
}

export async function findCachedStep(store: Store, key: string): Promise<CachedStep | undefined> {
  const row = await store.knex('step_cache').where('key', key).first('runId', 'stepId', 'callId', 'outputs');
  return row
    ? {
        runId: row.runId,
        stepId: row.stepId,
        callId: row.callId,
        outputs: await loadLargeValues(store.knex, JSON.parse(row.outputs) as Record<string, unknown>),
      }
    : undefined;
}

/** The first run to produce a key keeps it: a cache hit always names where its outputs came from. */
export async function putCachedStep(store: Store, key: string, entry: CachedStep): Promise<void> {
  const outputs = await storeLargeValues(store.knex, entry.runId, entry.outputs);
  await store
    .knex('step_cache')
    .insert({ key, ...entry, outputs: JSON.stringify(outputs), createdAt: new Date().toISOString() })
    .onConflict('key')
    .ignore();
}
