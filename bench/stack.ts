// The stack a benchmark (or the replay corpus recorder) measures in: a throwaway project directory,
// the dev server, a migrated SQLite store, the backend, and optionally a fake provider.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { startBackend, type Backend } from '../api/server.js';
import { migrate, openStore, type Store } from '../db/knex.js';
import { startDevServer, type DevServer } from '../temporal/dev-server.js';
import { installTemporalRuntime, shutdownTemporalRuntime } from '../temporal/runtime.js';
import { startFakeProvider, type FakeProvider } from '../test/fakes/server.js';
import type { Script } from '../test/fakes/script.js';
import { freePort } from '../test/helpers/ports.js';
import { benchConfig, benchTemporalCli } from './edge.js';

export const BENCH_TOKEN = 'bench-token-0123456789';

export interface BenchStack {
  dir: string;
  temporal: DevServer;
  store: Store;
  backend: Backend;
  /** Present when a script was given. */
  fake: FakeProvider | undefined;
  close(): Promise<void>;
}

export async function startBenchStack(o: {
  taskQueue: string;
  withWorker: boolean;
  /** A fake OpenAI-protocol provider answering with this script. */
  script?: Script;
  /** Fill the store before the backend starts (a big store for the API benchmark). */
  seed?: (store: Store) => Promise<void>;
  dynamicConfig?: string[];
  encryptPayloads?: boolean;
  /** More configuration, as environment variables (HARNESS_SECRET_KEY for the corpus). */
  env?: Record<string, string>;
}): Promise<BenchStack> {
  installTemporalRuntime('ERROR');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vloop-${o.taskQueue}-`));
  const store = openStore({ dialect: 'sqlite', url: path.join(dir, 'harness.db') });
  await migrate(store);
  await o.seed?.(store);
  const temporal = await startDevServer({ cliPath: benchTemporalCli(), dbFile: path.join(dir, 'temporal.db'), port: await freePort(), uiPort: await freePort(), dynamicConfig: o.dynamicConfig });
  const fake = o.script ? await startFakeProvider('openai', o.script) : undefined;
  const backend = await startBackend({
    config: benchConfig(dir, temporal.address, o.taskQueue, o.env),
    token: BENCH_TOKEN,
    store,
    withWorker: o.withWorker,
    log: pino({ level: 'silent' }),
    ...(o.encryptPayloads === false ? { encryptPayloads: false } : {}),
  });
  return {
    dir,
    temporal,
    store,
    backend,
    fake,
    async close() {
      await backend.close();
      await store.close();
      await fake?.close();
      await shutdownTemporalRuntime();
      await temporal.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Bare Temporal next to the harness: a worker for chains of no-op activities, and a client to start them. */
export async function startBareTemporal(address: string, taskQueue: string) {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, taskQueue, workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), 'floor-workflow.ts'), activities: { noop: async (i: number) => i } });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address }) });
  return {
    /** Run a chain of `activities` no-op activities to its end. */
    chain: (workflowId: string, activities: number) => client.workflow.execute('noopChain', { taskQueue, workflowId, args: [activities] }),
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
    },
  };
}
