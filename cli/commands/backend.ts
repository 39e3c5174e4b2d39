// `harness backend`: the API (and by default an embedded worker) in the foreground.
import path from 'node:path';
import type { Command } from 'commander';
import { createLogger, humanLines } from '../../config/log.js';
import { startBackend, type Backend } from '../../api/server.js';
import { processSecrets } from '../../core/secrets.js';
import type { Store } from '../../db/knex.js';
import { onShutdown, prepareStore, resolvedConfig } from '../runtime.js';
import { recordStack } from '../stack-record.js';

export async function launchBackend(o: {
  worker: boolean;
  temporalPid?: number | undefined;
}): Promise<{ backend: Backend; store: Store }> {
  const store = await prepareStore();
  const config = resolvedConfig();
  // A person watches this process: human lines on the terminal, the JSON lines in the log file.
  const log = createLogger(
    processSecrets,
    config.logLevel,
    humanLines(),
    path.join(config.paths.logs, 'backend.jsonl'),
  );
  const backend = await startBackend({ config, store, withWorker: o.worker, log });
  recordStack(config.paths.run, {
    pid: process.pid,
    url: backend.url.replace('//0.0.0.0:', '//127.0.0.1:'),
    temporal: { address: config.temporal.address, pid: o.temporalPid },
  });
  return { backend, store };
}

export function backendCommand(program: Command): void {
  program
    .command('backend')
    .description('run the API (with an embedded worker unless --no-worker) in the foreground')
    .option('--no-worker', 'serve the API only; run `harness worker` elsewhere')
    .action(async (o: { worker: boolean }) => {
      const { backend, store } = await launchBackend(o);
      console.log(`backend listening on ${backend.url} (worker: ${o.worker ? 'embedded' : 'none'})`);
      onShutdown(async () => {
        await backend.close();
        await store.close();
      });
    });
}
