// The backend process: Koa API + WebSocket on one HTTP server, optionally with an embedded worker.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Worker } from '@temporalio/worker';
import { closeMcpSessions } from '../mcp/client.js';
import { createProviderResolver, type ProviderFactory } from '../providers/registry.js';
import type { HarnessConfig } from '../config/index.js';
import { processSecrets } from '../core/secrets.js';
import { loadKeyring } from '../keyring/index.js';
import { createBus, RunTailer } from '../db/event-bus.js';
import type { Store } from '../db/knex.js';
import { payloadStore } from '../db/payload-store.js';
import { connectClient } from '../temporal/connection.js';
import { startTelemetry } from '../temporal/telemetry.js';
import { startWorker, type RunningWorker } from '../worker/index.js';
import { createApp } from './app.js';
import { startAppViews } from './app-views/server.js';
import { keepProjectPrivate } from '../config/private-files.js';
import { loadOrCreateToken } from '../config/token.js';
import type { AppContext } from './context.js';
import { createLogger, type Logger } from '../config/log.js';
import { reconcileRuns } from './services/reconciler.js';
import { attachWebSocket } from './ws.js';

export const VERSION = '0.1.0';

export interface BackendOptions {
  /** The one configuration, built at the edge; `temporal.address` must name the server to use. */
  config: HarnessConfig & { temporal: { address: string } };
  store: Store;
  withWorker: boolean;
  /** The token (else HARNESS_TOKEN, else .vloop/token). */
  token?: string;
  heartbeatTimeoutMs?: number;
  chatTurnsPerRun?: number;
  continueAfterEvents?: number;
  providerFactory?: ProviderFactory;
  log?: Logger;
  reconcileEveryMs?: number;
  /** Temporal payloads encrypted with the project's keys (the default); false only to measure what it costs. */
  encryptPayloads?: boolean;
}

export interface Backend {
  url: string;
  port: number;
  app: AppContext;
  worker?: Worker | undefined;
  close(): Promise<void>;
}

export async function startBackend(o: BackendOptions): Promise<Backend> {
  const { config } = o;
  const secrets = processSecrets;
  keepProjectPrivate(config.paths.dir);
  const token = o.token ?? loadOrCreateToken(config.paths.token, config.api.token);
  secrets.add(token);
  const log = o.log ?? createLogger(secrets, config.logLevel, undefined, path.join(config.paths.logs, 'backend.jsonl'));
  const keyring = loadKeyring(config.paths.secretKey, config.secretKeyText);
  for (const k of keyring.byId.values()) secrets.add(k.key.toString('hex'));
  const bus = await createBus(o.store, { url: config.db.url, projectDir: config.paths.dir });
  const localFiles = { modelsDir: config.models.modelsDir, localModelPath: config.models.localModelPath };
  const resolveProvider = createProviderResolver(o.store, keyring, secrets, localFiles, o.providerFactory);
  const payloadKeys = o.encryptPayloads === false ? undefined : keyring;
  const telemetry = startTelemetry(config.telemetry, secrets);
  const client = await connectClient(config.temporal, payloadKeys, payloadStore(o.store), !!telemetry);

  const app: AppContext = {
    version: VERSION,
    config,
    store: o.store,
    temporal: { client, address: config.temporal.address, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, uiUrl: config.temporal.uiUrl },
    bus,
    tailer: new RunTailer(o.store, bus),
    keyring,
    secrets,
    resolveProvider,
    token,
    allowedHosts: config.api.allowedHosts,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? 10_000,
    chatTurnsPerRun: o.chatTurnsPerRun ?? 20,
    continueAfterEvents: o.continueAfterEvents ?? 8000,
    appViewsPort: null,
    log,
    telemetry,
  };

  const worker: RunningWorker | undefined = o.withWorker ? await startWorker({ config, store: o.store, bus, secrets, resolveProvider, telemetry, log, keyring: payloadKeys }) : undefined;

  const server = http.createServer(createApp(app).callback());
  const wss = attachWebSocket(app, server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.api.port, config.api.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // HTML app views live on another origin, framed only by this one.
  const views = await startAppViews(app, { host: config.api.host, port: config.api.appsPort, dashboardPort: port });
  app.appViewsPort = views.port;

  const reconcile = () => reconcileRuns(app).catch((err) => log.warn({ err }, 'reconcile failed'));
  void reconcile();
  const timer = setInterval(reconcile, o.reconcileEveryMs ?? 30_000);
  const host = config.api.host;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    app,
    worker: worker?.main,
    async close() {
      clearInterval(timer);
      app.tailer.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await views.close();
      worker?.shutdown();
      await worker?.done.catch(() => {});
      await closeMcpSessions();
      await bus.close?.();
      await client.connection.close();
      await telemetry?.shutdown();
    },
  };
}
