// Seed the examples once: a `default` provider chosen from the environment, components, a pipeline.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LOCAL_MODEL, resolveLocalModel } from '../../activities/llm/local-models.js';
import type { ProviderSpec } from '../../core/specs.js';
import { getMeta, setMeta } from '../../db/repositories/audit.js';
import type { AppContext } from '../context.js';
import { createProvider } from './providers.js';
import { createComponent, createPipeline } from './specs.js';

const examplesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples');

export const NO_PROVIDER_HINT =
  'no model provider is available: run `npm run setup` to install the embedded model, or set OPENAI_API_KEY, ANTHROPIC_API_KEY or OLLAMA_BASE_URL (with LM_MODEL) in .env';

/** The provider the examples use: LM_PROVIDER if set, else the first with settings, else the embedded model. */
export function defaultProviderFromEnv(env: NodeJS.ProcessEnv = process.env): Omit<ProviderSpec, 'name'> | undefined {
  const wanted = env.LM_PROVIDER || (env.OPENAI_API_KEY ? 'openai' : env.ANTHROPIC_API_KEY ? 'anthropic' : env.OLLAMA_BASE_URL ? 'ollama' : 'local');
  const model = env.LM_MODEL || undefined;
  switch (wanted) {
    case 'openai':
      return { type: 'openai', apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL || undefined, defaultModel: model ?? 'gpt-4o-mini' };
    case 'anthropic':
      return { type: 'anthropic', apiKey: env.ANTHROPIC_API_KEY, defaultModel: model ?? 'claude-haiku-4-5' };
    case 'ollama':
      return { type: 'ollama', baseUrl: env.OLLAMA_BASE_URL || 'http://127.0.0.1:11434', defaultModel: model ?? 'llama3.2' };
    case 'local':
      try {
        resolveLocalModel(model, env);
      } catch {
        return undefined;
      }
      return { type: 'local', defaultModel: model ?? (env.LOCAL_MODEL_PATH ? path.basename(env.LOCAL_MODEL_PATH).replace(/\.gguf$/, '') : DEFAULT_LOCAL_MODEL.name) };
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

export async function seedExamples(ctx: AppContext, env: NodeJS.ProcessEnv = process.env): Promise<{ seeded: boolean; message: string }> {
  if (await getMeta(ctx.store, 'examples_seeded')) return { seeded: false, message: 'examples already seeded' };
  const provider = defaultProviderFromEnv(env);
  if (!provider) return { seeded: false, message: NO_PROVIDER_HINT };
  await createProvider(ctx, { name: 'default', ...Object.fromEntries(Object.entries(provider).filter(([, v]) => v !== undefined)) });
  for (const spec of readJsonDir(path.join(examplesDir, 'components'))) await createComponent(ctx, spec);
  for (const spec of readJsonDir(path.join(examplesDir, 'pipelines'))) await createPipeline(ctx, spec);
  await setMeta(ctx.store, 'examples_seeded', new Date().toISOString());
  return { seeded: true, message: `seeded the examples on the '${provider.type}' provider` };
}

export function exampleInputs(): Record<string, Record<string, unknown>> {
  return JSON.parse(fs.readFileSync(path.join(examplesDir, 'inputs.json'), 'utf8'));
}
