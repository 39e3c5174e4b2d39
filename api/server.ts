// The backend process: Koa API + WebSocket on one HTTP server, optionally with an embedded worker.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { closeBrowser } from '../activities/tools/browser.js';
import { createProviderResolver, type ProviderFactory } from '../activities/llm/registry.js';
import { processSecrets } from '../core/secrets.js';
import { loadSecretKey } from '../db/crypto.js';
import { createBus, RunTailer } from '../db/event-bus.js';
import type { Store } from '../db/knex.js';
import { projectDir, type TemporalConfig } from '../temporal/config.js';
import { connectClient, connectWorker } from '../temporal/connection.js';
import { createWorker } from '../temporal/worker.js';
import { createApp } from './app.js';
import type { AppContext } from './context.js';
import { createLogger, type Logger } from './log.js';
import { reconcileRuns } from './services/reconciler.js';
import { attachWebSocket } from './ws.js';

export const VERSION = '0.1.0';

export interface BackendOptions {
  host: string;
  port: number;
  token: string;
  allowedHosts: string[];
  store: Store;
  /** The store's URL, for PostgreSQL's LISTEN/NOTIFY bus. */
  storeUrl?: string;
  temporal: TemporalConfig & { address: string };
  withWorker: boolean;
  heartbeatTimeoutMs?: number;
  chatTurnsPerRun?: number;
  agentContinueAfterEvents?: number;
  providerFactory?: ProviderFactory;
  log?: Logger;
  reconcileEveryMs?: number;
}

export interface Backend {
  url: string;
  port: number;
  app: AppContext;
  worker?: Worker | undefined;
  close(): Promise<void>;
}

export async function startBackend(o: BackendOptions): Promise<Backend> {
  const secrets = processSecrets;
  secrets.add(o.token);
  const log = o.log ?? createLogger(secrets);
  const secretKey = loadSecretKey(projectDir());
  const bus = await createBus(o.store, o.storeUrl ?? '');
  const resolveProvider = createProviderResolver(o.store, secretKey, secrets, o.providerFactory);
  const client = await connectClient(o.temporal);

  const app: AppContext = {
    version: VERSION,
    store: o.store,
    temporal: { client, address: o.temporal.address, namespace: o.temporal.namespace, taskQueue: o.temporal.taskQueue, uiUrl: o.temporal.uiUrl },
    bus,
    tailer: new RunTailer(o.store, bus),
    secretKey,
    secrets,
    resolveProvider,
    token: o.token,
    allowedHosts: o.allowedHosts,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? 10_000,
    chatTurnsPerRun: o.chatTurnsPerRun ?? 20,
    agentContinueAfterEvents: o.agentContinueAfterEvents ?? 8000,
    log,
  };

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  if (o.withWorker) {
    const connection = await connectWorker(o.temporal);
    worker = await createWorker({
      connection,
      namespace: o.temporal.namespace,
      taskQueue: o.temporal.taskQueue,
      activities: createActivities({ store: o.store, bus, secrets, resolveProvider }),
    });
    workerRun = worker.run().finally(() => connection.close());
  }

  const server = http.createServer(createApp(app).callback());
  const wss = attachWebSocket(app, server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const reconcile = () => reconcileRuns(app).catch((err) => log.warn({ err }, 'reconcile failed'));
  void reconcile();
  const timer = setInterval(reconcile, o.reconcileEveryMs ?? 30_000);

  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    port,
    app,
    worker,
    async close() {
      clearInterval(timer);
      app.tailer.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun?.catch(() => {});
      await closeBrowser();
      await bus.close?.();
      await client.connection.close();
    },
  };
}
