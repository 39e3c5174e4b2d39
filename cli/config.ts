// The edge: .env (if present) and the environment, read once into the one configuration.
import fs from 'node:fs';
import { configFromEnv, type HarnessConfig } from '../config/index.js';
import { processSecrets } from '../core/secrets.js';

let loaded: HarnessConfig | undefined;

/** The configuration of this process (validated on first use; a bad value is a clear error). */
export function config(): HarnessConfig {
  if (!loaded) {
    if (fs.existsSync('.env')) process.loadEnvFile('.env');
    loaded = configFromEnv(process.env, process.cwd());
    // Secrets named in the environment are scrubbed from every log line, event and frame.
    processSecrets.addFromEnv(process.env);
  }
  return loaded;
}
