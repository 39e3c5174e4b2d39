// `harness secrets rotate`: a new newest key; provider keys re-encrypted with it; older keys kept so
// existing workflow histories stay readable.
import type { Command } from 'commander';
import { addKey, decryptSecret, encryptSecret, sealedWithCurrent } from '../../keyring/index.js';
import { listProviders, patchProvider } from '../../db/repositories/providers.js';
import { CliError } from '../client.js';
import { config } from '../config.js';
import { prepareStore } from '../runtime.js';

export function secretsCommand(program: Command): void {
  program
    .command('secrets')
    .description("the project's encryption keys")
    .command('rotate')
    .description(
      'add a new key (it encrypts from now on), re-encrypt provider keys with it, keep the old keys for reading',
    )
    .action(async () => {
      const c = config();
      if (c.secretKeyText)
        throw new CliError(
          'HARNESS_SECRET_KEY is set, so the key comes from the environment: rotate by moving the keys into .vloop/secret.key (one per line, newest last) and unsetting it',
        );
      const keys = addKey(c.paths.secretKey);
      const store = await prepareStore();
      let reEncrypted = 0;
      try {
        for (const p of await listProviders(store)) {
          if (!p.apiKeyEnc || sealedWithCurrent(keys, p.apiKeyEnc)) continue;
          await patchProvider(store, p.id, { apiKeyEnc: encryptSecret(keys, decryptSecret(keys, p.apiKeyEnc)) });
          reEncrypted++;
        }
      } finally {
        await store.close();
      }
      console.log(
        `new key ${keys.current.id} (${keys.byId.size} keys in ${c.paths.secretKey}); ${reEncrypted} provider key(s) re-encrypted. Restart the backend and workers to encrypt with it; older histories stay readable.`,
      );
    });
}
