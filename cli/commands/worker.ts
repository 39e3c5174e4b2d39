// `harness worker`: a worker alone, to scale out against the same Temporal and store.
import path from 'node:path';
import type { Command } from 'commander';
import { createProviderResolver } from '../../providers/registry.js';
import { createLogger } from '../../config/log.js';
import { processSecrets } from '../../core/secrets.js';
import { loadKeyring } from '../../keyring/index.js';
import { createBus } from '../../db/event-bus.js';
import { startTelemetry } from '../../temporal/telemetry.js';
import { startWorker } from '../../worker/index.js';
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
      const log = createLogger(
        secrets,
        config.logLevel,
        undefined,
        path.join(config.paths.logs, `worker-${process.pid}.jsonl`),
      );
      const bus = await createBus(store, { url: config.db.url, projectDir: config.paths.dir });
      const localFiles = { modelsDir: config.models.modelsDir, localModelPath: config.models.localModelPath };
      const keyring = loadKeyring(config.paths.secretKey, config.secretKeyText);
      for (const k of keyring.byId.values()) secrets.add(k.key.toString('hex'));
      const resolveProvider = createProviderResolver(store, keyring, secrets, localFiles);
      const telemetry = startTelemetry(config.telemetry, secrets);
      const workers = await startWorker({ config, store, bus, secrets, resolveProvider, telemetry, log, keyring });
      onShutdown(async () => workers.shutdown());
      log.info(
        { taskQueue: target.taskQueue, sessionQueue: workers.sessionQueue, address: target.address },
        'worker running',
      );
      console.log(
        `worker polling ${target.address} task queue '${target.taskQueue}' (sessions on '${workers.sessionQueue}')`,
      );
      await workers.done;
      await bus.close?.();
      await telemetry?.shutdown();
      await store.close();
    });
}
