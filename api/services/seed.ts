// Seed the examples once: a `default` provider chosen from the environment, components, a pipeline.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_LOCAL_MODEL, resolveLocalModel } from '../../providers/local-models.js';
import { DEFAULT_OLLAMA_URL } from '../../providers/ollama.js';
import type { ModelsConfig } from '../../config/index.js';
import type { ProviderSpec } from '../../core/specs.js';
import { getMeta, setMeta } from '../../db/repositories/audit.js';
import type { AppContext } from '../context.js';
import { createApp } from './apps.js';
import { createProvider } from './providers.js';
import { createComponent, createPipeline } from './specs.js';
import { harnessFile } from '../../config/root.js';

const examplesDir = harnessFile('examples');

export const NO_PROVIDER_HINT =
  'no model provider is available: run `npm run setup` to install the embedded model, or set OPENAI_API_KEY, ANTHROPIC_API_KEY or OLLAMA_BASE_URL (with LM_MODEL) in .env';

/** The provider the examples use: LM_PROVIDER if set, else the first with settings, else the embedded model. */
export function defaultProvider(m: ModelsConfig): Omit<ProviderSpec, 'name'> | undefined {
  const wanted =
    m.provider ?? (m.openaiApiKey ? 'openai' : m.anthropicApiKey ? 'anthropic' : m.ollamaBaseUrl ? 'ollama' : 'local');
  const model = m.model;
  switch (wanted) {
    case 'openai':
      return { type: 'openai', apiKey: m.openaiApiKey, baseUrl: m.openaiBaseUrl, defaultModel: model ?? 'gpt-4o-mini' };
    case 'anthropic':
      return { type: 'anthropic', apiKey: m.anthropicApiKey, defaultModel: model ?? 'claude-haiku-4-5' };
    case 'ollama':
      return { type: 'ollama', baseUrl: m.ollamaBaseUrl ?? DEFAULT_OLLAMA_URL, defaultModel: model ?? 'llama3.2' };
    case 'local':
      try {
        resolveLocalModel(model, m);
      } catch {
        return undefined;
      }
      return {
        type: 'local',
        defaultModel:
          model ??
          (m.localModelPath ? path.basename(m.localModelPath).replace(/\.gguf$/, '') : DEFAULT_LOCAL_MODEL.name),
      };
    default:
      return undefined;
  }
}

function readJsonDir(dir: string): unknown[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

export async function seedExamples(ctx: AppContext): Promise<{ seeded: boolean; message: string }> {
  if (await getMeta(ctx.store, 'examples_seeded')) return { seeded: false, message: 'examples already seeded' };
  const provider = defaultProvider(ctx.config.models);
  if (!provider) return { seeded: false, message: NO_PROVIDER_HINT };
  await createProvider(ctx, {
    name: 'default',
    ...Object.fromEntries(Object.entries(provider).filter(([, v]) => v !== undefined)),
  });
  for (const spec of readJsonDir(path.join(examplesDir, 'components'))) await createComponent(ctx, spec);
  for (const spec of readJsonDir(path.join(examplesDir, 'pipelines'))) await createPipeline(ctx, spec);
  for (const manifest of readJsonDir(path.join(examplesDir, 'apps'))) await createApp(ctx, manifest);
  await setMeta(ctx.store, 'examples_seeded', new Date().toISOString());
  return { seeded: true, message: `seeded the examples on the '${provider.type}' provider` };
}

export function exampleInputs(): Record<string, Record<string, unknown>> {
  return JSON.parse(fs.readFileSync(path.join(examplesDir, 'inputs.json'), 'utf8'));
}
