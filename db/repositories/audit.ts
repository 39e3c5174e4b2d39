// Who changed what: every state-changing API call leaves a row here.
import type { Store } from '../knex.js';
import { AuditRow } from '../models/run.js';

export async function audit(
  store: Store,
  entry: { actor: string; action: string; subject: string; details?: Record<string, unknown> },
): Promise<void> {
  await AuditRow.query(store.knex).insert({ ...entry, details: entry.details ?? null, at: new Date().toISOString() });
}

export async function getMeta(store: Store, key: string): Promise<string | undefined> {
  const row = await store.knex('meta').where('key', key).first('value');
  return row?.value;
}

export async function setMeta(store: Store, key: string, value: string): Promise<void> {
  await store.knex('meta').insert({ key, value }).onConflict('key').merge();
}
