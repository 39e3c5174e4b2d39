// Provider rows; the API key column holds ciphertext only (services encrypt and decrypt).
import { newId } from '../../core/ids.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Store } from '../knex.js';
import { ProviderRow } from '../models/provider.js';

export type ProviderFields = Pick<ProviderRow, 'name' | 'type' | 'baseUrl' | 'apiKeyEnc' | 'defaultModel' | 'options'>;

export async function listProviders(store: Store): Promise<ProviderRow[]> {
  return ProviderRow.query(store.knex).orderBy('name');
}

export async function getProvider(store: Store, idOrName: string): Promise<ProviderRow> {
  const row = await ProviderRow.query(store.knex).where('id', idOrName).orWhere('name', idOrName).first();
  if (!row) throw new NotFoundError('provider', idOrName);
  return row;
}

export async function insertProvider(store: Store, fields: ProviderFields): Promise<ProviderRow> {
  if (await ProviderRow.query(store.knex).where('name', fields.name).first())
    throw new ConflictError(`provider '${fields.name}' already exists`);
  const at = new Date().toISOString();
  return ProviderRow.query(store.knex).insertAndFetch({ id: newId('prv'), ...fields, createdAt: at, updatedAt: at });
}

export async function patchProvider(
  store: Store,
  idOrName: string,
  fields: Partial<ProviderFields>,
): Promise<ProviderRow> {
  const row = await getProvider(store, idOrName);
  if (
    fields.name &&
    fields.name !== row.name &&
    (await ProviderRow.query(store.knex).where('name', fields.name).first())
  ) {
    throw new ConflictError(`provider '${fields.name}' already exists`);
  }
  return ProviderRow.query(store.knex).patchAndFetchById(row.id, { ...fields, updatedAt: new Date().toISOString() });
}

export async function deleteProvider(store: Store, idOrName: string): Promise<void> {
  const row = await getProvider(store, idOrName);
  await ProviderRow.query(store.knex).deleteById(row.id);
}
