// Build a provider client from its stored row (key decrypted here, only in memory).
import { decryptSecret, type Keyring } from '../keyring/index.js';
import type { Store } from '../db/knex.js';
import { getProvider } from '../db/repositories/providers.js';
import { createAnthropicProvider } from './anthropic.js';
import { createLocalProvider } from './local.js';
import { createOllamaProvider, DEFAULT_OLLAMA_URL } from './ollama.js';
import { createOpenAiProvider } from './openai.js';
import type { SecretSet } from '../core/secrets.js';
import type { Price } from '../core/pricing.js';
import type { LlmProvider, ProviderSettings } from './provider.js';

export interface ResolvedProvider {
  name: string;
  provider: LlmProvider;
  /** Where calls go (the base URL, or the model file for the embedded model): errors name it. */
  endpoint: string;
  defaultModel: string | null;
  pricing: Record<string, Price>;
}

const DEFAULT_ENDPOINTS: Record<string, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  ollama: DEFAULT_OLLAMA_URL,
  local: 'the embedded model',
};

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

export function createProviderResolver(
  store: Store,
  keys: Keyring,
  secrets: SecretSet,
  localFiles: ProviderSettings['localFiles'],
  factory: ProviderFactory = createProviderClient,
) {
  const cache = new Map<string, { stamp: string; resolved: ResolvedProvider }>();
  return async function resolveProvider(name: string): Promise<ResolvedProvider> {
    const row = await getProvider(store, name);
    const hit = cache.get(row.id);
    if (hit && hit.stamp === row.updatedAt) return hit.resolved;
    const apiKey = row.apiKeyEnc ? decryptSecret(keys, row.apiKeyEnc) : undefined;
    secrets.add(apiKey);
    const resolved: ResolvedProvider = {
      name: row.name,
      provider: factory(row.type, {
        baseUrl: row.baseUrl ?? undefined,
        apiKey,
        options: row.options ?? undefined,
        localFiles,
      }),
      endpoint: row.baseUrl ?? DEFAULT_ENDPOINTS[row.type] ?? row.type,
      defaultModel: row.defaultModel,
      pricing: (row.options?.pricing as Record<string, Price> | undefined) ?? {},
    };
    cache.set(row.id, { stamp: row.updatedAt, resolved });
    return resolved;
  };
}
