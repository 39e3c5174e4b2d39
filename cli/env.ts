// The one env loader: .env (if present) into process.env, then a check of what is malformed.
import fs from 'node:fs';
import { z } from 'zod';
import { processSecrets } from '../core/secrets.js';

const schema = z.object({
  HARNESS_PORT: z.string().regex(/^\d+$/, 'must be a port number').optional(),
  VLOOP_DB_URL: z.string().regex(/^(|sqlite:.*|postgres(ql)?:\/\/.*)$/, 'must be empty, sqlite:<path> or postgres://…').optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
  LM_PROVIDER: z.enum(['openai', 'anthropic', 'ollama', 'local', '']).optional(),
  OPENAI_BASE_URL: z.union([z.url(), z.literal('')]).optional(),
  OLLAMA_BASE_URL: z.union([z.url(), z.literal('')]).optional(),
});

export function loadEnv(file = '.env'): void {
  if (fs.existsSync(file)) process.loadEnvFile(file);
  const result = schema.safeParse(process.env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration in the environment or .env:\n${lines.join('\n')}`);
  }
  processSecrets.addFromEnv(process.env);
}
