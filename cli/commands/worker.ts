// `harness worker`: a worker alone, to scale out against the same Temporal and store.
import type { Command } from 'commander';
import { createActivities } from '../../activities/index.js';
import { closeBrowser } from '../../activities/tools/browser.js';
import { createProviderResolver } from '../../activities/llm/registry.js';
import { createLogger } from '../../api/log.js';
import { processSecrets } from '../../core/secrets.js';
import { loadKeyring } from '../../db/crypto.js';
import { createBus } from '../../db/event-bus.js';
import { workflowBundleOptions } from '../../temporal/bundle.js';
import { connectWorker } from '../../temporal/connection.js';
import { createWorker } from '../../temporal/worker.js';
import { onShutdown, prepareStore, resolvedConfig } from '../runtime.js';

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a Temporal worker (workflows and activities) against TEMPORAL_ADDRESS and the store')
    .action(async () => {
      const config = resolvedConfig();
      const target = config.temporal;
      const store = await prepareStore();
      const secrets = processSecrets;
      const log = createLogger(secrets, config.logLevel);
      const bus = await createBus(store, config.db.dialect === 'postgres' ? config.db.url : '');
      const localFiles = { modelsDir: config.models.modelsDir, localModelPath: config.models.localModelPath };
      const keyring = loadKeyring(config.paths.secretKey, config.secretKeyText);
      const resolveProvider = createProviderResolver(store, keyring, secrets, localFiles);
      const connection = await connectWorker(target);
      const worker = await createWorker({
        connection,
        namespace: target.namespace,
        taskQueue: target.taskQueue,
        activities: createActivities({ store, bus, secrets, resolveProvider, tools: config.tools }),
        bundle: workflowBundleOptions(config),
        keyring,
      });
      onShutdown(async () => worker.shutdown());
      log.info({ taskQueue: target.taskQueue, address: target.address }, 'worker running');
      console.log(`worker polling ${target.address} task queue '${target.taskQueue}'`);
      await worker.run();
      await closeBrowser();
      await bus.close?.();
      await connection.close();
      await store.close();
    });
}
