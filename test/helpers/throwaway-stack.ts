// A whole stack in a throwaway project (the dev server, a migrated SQLite store, the backend, optionally a
// fake provider), outside vitest: the benchmarks measure in it and the replay corpus recorder records in it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startBackend, type Backend } from '../../api/server.js';
import { configFromEnv, type HarnessConfig } from '../../config/index.js';
import { migrate, openStore, type Store } from '../../db/knex.js';
import { findTemporalCli, INSTALL_HINT } from '../../temporal/cli-path.js';
import { startDevServer, type DevServer } from '../../temporal/dev-server.js';
import { installTemporalRuntime, shutdownTemporalRuntime } from '../../temporal/runtime.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { Script } from '../fakes/script.js';
import { freePort } from './ports.js';

export const THROWAWAY_TOKEN = 'bench-token-0123456789';

/** The Temporal CLI the user's setup installed (TEMPORAL_CLI_PATH, PATH or .vloop/bin). */
export function userTemporalCli(): string {
  const user = configFromEnv(process.env, process.cwd());
  const cli = findTemporalCli({ cliPath: user.temporal.cliPath, searchPath: user.searchPath, binDir: user.paths.bin });
  if (!cli) throw new Error(INSTALL_HINT);
  return cli;
}

/** The configuration of a throwaway project in `dir`, against a dev server at `address`. */
function throwawayConfig(
  dir: string,
  address: string,
  taskQueue: string,
  env: Record<string, string> = {},
): HarnessConfig & { temporal: { address: string } } {
  const c = configFromEnv(
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      VLOOP_PROJECT_DIR: dir,
      HARNESS_PORT: '0',
      HARNESS_APPS_PORT: '0',
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      ...env,
    },
    process.cwd(),
  );
  return { ...c, temporal: { ...c.temporal, address } };
}

export interface ThrowawayStack {
  dir: string;
  temporal: DevServer;
  store: Store;
  backend: Backend;
  /** Present when a script was given. */
  fake: FakeProvider | undefined;
  close(): Promise<void>;
}

export async function startThrowawayStack(o: {
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
}): Promise<ThrowawayStack> {
  installTemporalRuntime('ERROR');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vloop-${o.taskQueue}-`));
  const store = openStore({ dialect: 'sqlite', url: path.join(dir, 'harness.db') });
  let temporal: DevServer | undefined;
  let fake: FakeProvider | undefined;
  let backend: Backend;
  try {
    await migrate(store);
    await o.seed?.(store);
    temporal = await startDevServer({
      cliPath: userTemporalCli(),
      dbFile: path.join(dir, 'temporal.db'),
      port: await freePort(),
      uiPort: await freePort(),
      dynamicConfig: o.dynamicConfig,
    });
    fake = o.script ? await startFakeProvider('openai', o.script) : undefined;
    backend = await startBackend({
      config: throwawayConfig(dir, temporal.address, o.taskQueue, o.env),
      token: THROWAWAY_TOKEN,
      store,
      withWorker: o.withWorker,
      log: pino({ level: 'silent' }),
      ...(o.encryptPayloads === false ? { encryptPayloads: false } : {}),
    });
  } catch (err) {
    // A stack that did not start leaves no dev server, fake or open store behind.
    await fake?.close();
    await store.close();
    await temporal?.stop('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const server = temporal;
  return {
    dir,
    temporal: server,
    store,
    backend,
    fake,
    async close() {
      await backend.close();
      await store.close();
      await fake?.close();
      await shutdownTemporalRuntime();
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
