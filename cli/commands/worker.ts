// `harness worker`: a worker alone, to scale out against the same Temporal and store.
import type { Command } from 'commander';
import { createActivities } from '../../activities/index.js';
import { closeBrowser } from '../../activities/tools/browser.js';
import { createProviderResolver } from '../../activities/llm/registry.js';
import { processSecrets } from '../../core/secrets.js';
import { createLogger } from '../../api/log.js';
import { loadSecretKey } from '../../db/crypto.js';
import { dbConfig } from '../../db/config.js';
import { createBus } from '../../db/event-bus.js';
import { projectDir } from '../../temporal/config.js';
import { connectWorker } from '../../temporal/connection.js';
import { createWorker } from '../../temporal/worker.js';
import { onShutdown, prepareStore, temporalTarget } from '../runtime.js';

export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a Temporal worker (workflows and activities) against TEMPORAL_ADDRESS and the store')
    .action(async () => {
      const store = await prepareStore();
      const target = temporalTarget();
      const secrets = processSecrets;
      const log = createLogger(secrets);
      const bus = await createBus(store, dbConfig().url);
      const resolveProvider = createProviderResolver(store, loadSecretKey(projectDir()), secrets);
      const connection = await connectWorker(target);
      const worker = await createWorker({
        connection,
        namespace: target.namespace,
        taskQueue: target.taskQueue,
        activities: createActivities({ store, bus, secrets, resolveProvider }),
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
