// Provider CRUD with keys encrypted at rest and only ever answered masked.
import { maskKey } from '../../core/redact.js';
import { versionRef } from '../../core/run-story/ids.js';
import { providerPatch, providerSpec } from '../../core/specs.js';
import { decryptSecret, encryptSecret } from '../../keyring/index.js';
import type { ProviderRow } from '../../db/models/provider.js';
import * as repo from '../../db/repositories/providers.js';
import { audit } from '../../db/repositories/audit.js';
import { components } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';

export function providerView(ctx: AppContext, row: ProviderRow) {
  let apiKey: string | null = null;
  if (row.apiKeyEnc) {
    try {
      apiKey = maskKey(decryptSecret(ctx.keyring, row.apiKeyEnc));
    } catch {
      apiKey = '(undecryptable)';
    }
  }
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    baseUrl: row.baseUrl,
    apiKey,
    defaultModel: row.defaultModel,
    options: row.options,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export async function listProviders(ctx: AppContext) {
  return (await repo.listProviders(ctx.store)).map((r) => providerView(ctx, r));
}

/** The provider a path names, by id or name, loaded once per request (a 404 when there is none). */
export function loadProvider(ctx: AppContext, idOrName: string): Promise<ProviderRow> {
  return repo.getProvider(ctx.store, idOrName);
}

export async function createProvider(ctx: AppContext, body: unknown) {
  const spec = providerSpec.parse(body);
  ctx.secrets.add(spec.apiKey);
  const row = await repo.insertProvider(ctx.store, {
    name: spec.name,
    type: spec.type,
    baseUrl: spec.baseUrl ?? null,
    apiKeyEnc: spec.apiKey ? encryptSecret(ctx.keyring, spec.apiKey) : null,
    defaultModel: spec.defaultModel ?? null,
    options: spec.options ?? null,
  });
  await audit(ctx.store, { actor: 'api', action: 'provider.create', subject: row.id });
  return providerView(ctx, row);
}

export async function updateProvider(ctx: AppContext, provider: ProviderRow, body: unknown) {
  const patch = providerPatch.parse(body);
  ctx.secrets.add(patch.apiKey ?? undefined);
  const fields: Partial<repo.ProviderFields> = {};
  if (patch.name !== undefined) fields.name = patch.name;
  if (patch.type !== undefined) fields.type = patch.type;
  if (patch.baseUrl !== undefined) fields.baseUrl = patch.baseUrl;
  if (patch.defaultModel !== undefined) fields.defaultModel = patch.defaultModel;
  if (patch.options !== undefined) fields.options = patch.options;
  if (patch.apiKey !== undefined)
    fields.apiKeyEnc = patch.apiKey === null ? null : encryptSecret(ctx.keyring, patch.apiKey);
  const row = await repo.patchProvider(ctx.store, provider.id, fields);
  await audit(ctx.store, {
    actor: 'api',
    action: 'provider.update',
    subject: row.id,
    details: { fields: Object.keys(fields) },
  });
  return providerView(ctx, row);
}

/** Components whose latest version calls this provider. */
async function componentsUsing(ctx: AppContext, name: string): Promise<string[]> {
  const using: string[] = [];
  for (const c of await components.list(ctx.store)) {
    const latest = await components.getVersion(ctx.store, c.id);
    if (latest.spec.provider === name) using.push(versionRef(c.name, latest.version));
  }
  return using;
}

/** A provider in use stays unless forced: its components' next runs would otherwise fail. */
export async function deleteProvider(ctx: AppContext, row: ProviderRow, force = false) {
  const using = await componentsUsing(ctx, row.name);
  if (using.length && !force)
    throw new AppError(
      409,
      'provider_in_use',
      `provider '${row.name}' is used by ${using.join(', ')}; point them elsewhere first, or delete with ?force=true`,
      { components: using },
    );
  await repo.deleteProvider(ctx.store, row.id);
  await audit(ctx.store, {
    actor: 'api',
    action: 'provider.delete',
    subject: row.id,
    details: { force, components: using },
  });
}

export async function providerModels(ctx: AppContext, row: ProviderRow): Promise<string[]> {
  try {
    return await (await ctx.resolveProvider(row.name)).provider.listModels();
  } catch (err) {
    throw new AppError(
      502,
      'provider_unreachable',
      `provider '${row.name}' did not list its models: ${(err as Error).message}`,
    );
  }
}

/** A live check: list models, and answer with how long it took. */
export async function testProvider(ctx: AppContext, row: ProviderRow) {
  const started = Date.now();
  try {
    const models = await providerModels(ctx, row);
    return { ok: true, latencyMs: Date.now() - started, models: models.length };
  } catch (err) {
    return { ok: false, latencyMs: Date.now() - started, error: (err as Error).message };
  }
}
