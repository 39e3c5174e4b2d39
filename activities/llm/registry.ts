// Build a provider client from its stored row (key decrypted here, only in memory).
import { decryptSecret } from '../../db/crypto.js';
import type { Store } from '../../db/knex.js';
import { getProvider } from '../../db/repositories/providers.js';
import { createAnthropicProvider } from './anthropic.js';
import { createLocalProvider } from './local.js';
import { createOllamaProvider } from './ollama.js';
import { createOpenAiProvider } from './openai.js';
import type { Price } from './pricing.js';
import type { LlmProvider, ProviderSettings } from './provider.js';

export interface ResolvedProvider {
  name: string;
  provider: LlmProvider;
  defaultModel: string | null;
  pricing: Record<string, Price>;
}

export type ProviderFactory = (type: string, settings: ProviderSettings) => LlmProvider;

export const createProviderClient: ProviderFactory = (type, settings) => {
  switch (type) {
    case 'openai':
      return createOpenAiProvider(settings);
    case 'anthropic':
      return createAnthropicProvider(settings);
    case 'ollama':
      return createOllamaProvider(settings);
    case 'local':
      return createLocalProvider(settings);
    default:
      throw new Error(`provider type '${type}' is not available yet`);
  }
};

/** Secrets seen so far, so every outgoing event and log line can be scrubbed of them. */
export class SecretSet {
  private readonly values = new Set<string>();
  constructor(env: NodeJS.ProcessEnv = process.env) {
    for (const [k, v] of Object.entries(env)) if (v && /(_API_KEY|_TOKEN|_SECRET|SECRET_KEY)$/.test(k) && v.length >= 6) this.values.add(v);
  }
  add(value: string | undefined): void {
    if (value && value.length >= 6) this.values.add(value);
  }
  list(): string[] {
    return [...this.values];
  }
}

/** Every secret this process has seen: logs, events, frames and errors are scrubbed of them. */
export const processSecrets = new SecretSet();

export function createProviderResolver(store: Store, secretKey: Buffer, secrets: SecretSet, factory: ProviderFactory = createProviderClient) {
  const cache = new Map<string, { stamp: string; resolved: ResolvedProvider }>();
  return async function resolveProvider(name: string): Promise<ResolvedProvider> {
    const row = await getProvider(store, name);
    const hit = cache.get(row.id);
    if (hit && hit.stamp === row.updatedAt) return hit.resolved;
    const apiKey = row.apiKeyEnc ? decryptSecret(secretKey, row.apiKeyEnc) : undefined;
    secrets.add(apiKey);
    const resolved: ResolvedProvider = {
      name: row.name,
      provider: factory(row.type, { baseUrl: row.baseUrl ?? undefined, apiKey, options: row.options ?? undefined }),
      defaultModel: row.defaultModel,
      pricing: (row.options?.pricing as Record<string, Price> | undefined) ?? {},
    };
    cache.set(row.id, { stamp: row.updatedAt, resolved });
    return resolved;
  };
}
