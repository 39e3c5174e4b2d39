// The backend process: Koa API + WebSocket on one HTTP server, optionally with an embedded worker.
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Worker } from '@temporalio/worker';
import { closeMcpSessions } from '../mcp/client.js';
import { createProviderResolver, type ProviderFactory } from '../providers/registry.js';
import type { HarnessConfig } from '../config/index.js';
import { processSecrets } from '../core/secrets.js';
import { loadKeyring, type Keyring } from '../keyring/index.js';
import { createBus, RunTailer, type EventBus } from '../db/event-bus.js';
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

/** What the process brings before anything listens: its token, its logger and its keys, each a known secret. */
function processEdge(o: BackendOptions) {
  const { config } = o;
  const secrets = processSecrets;
  keepProjectPrivate(config.paths.dir);
  const token = o.token ?? loadOrCreateToken(config.paths.token, config.api.token);
  secrets.add(token);
  const log = o.log ?? createLogger(secrets, config.logLevel, undefined, path.join(config.paths.logs, 'backend.jsonl'));
  const keyring = loadKeyring(config.paths.secretKey, config.secretKeyText);
  for (const k of keyring.byId.values()) secrets.add(k.key.toString('hex'));
  return { secrets, token, log, keyring };
}

/** The context every route and service reads: the store, the bus, Temporal, the keys and the limits. */
async function appContext(o: BackendOptions, edge: ReturnType<typeof processEdge>, bus: EventBus): Promise<AppContext> {
  const { config } = o;
  const { secrets, token, log, keyring } = edge;
  const localFiles = { modelsDir: config.models.modelsDir, localModelPath: config.models.localModelPath };
  const telemetry = startTelemetry(config.telemetry, secrets);
  const client = await connectClient(config.temporal, payloadKeys(o, keyring), payloadStore(o.store), !!telemetry);
  const { address, namespace, taskQueue, uiUrl } = config.temporal;
  return {
    version: VERSION,
    config,
    store: o.store,
    temporal: { client, address, namespace, taskQueue, uiUrl },
    bus,
    tailer: new RunTailer(o.store, bus),
    keyring,
    secrets,
    resolveProvider: createProviderResolver(o.store, keyring, secrets, localFiles, o.providerFactory),
    token,
    allowedHosts: config.api.allowedHosts,
    heartbeatTimeoutMs: o.heartbeatTimeoutMs ?? 10_000,
    chatTurnsPerRun: o.chatTurnsPerRun ?? 20,
    continueAfterEvents: o.continueAfterEvents ?? 8000,
    appViewsPort: null,
    log,
    telemetry,
  };
}

const payloadKeys = (o: BackendOptions, keyring: Keyring) => (o.encryptPayloads === false ? undefined : keyring);

/** The API and the WebSocket on one HTTP server; HTML app views on another origin, framed only by this one. */
async function listen(app: AppContext) {
  const { api } = app.config;
  const server = http.createServer(createApp(app).callback());
  const wss = attachWebSocket(app, server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(api.port, api.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const views = await startAppViews(app, { host: api.host, port: api.appsPort, dashboardPort: port });
  app.appViewsPort = views.port;
  const close = async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await views.close();
  };
  return { port, close };
}

/** Runs whose workflow ended without telling the store are settled now and every `everyMs`. */
function startReconciler(app: AppContext, everyMs: number): NodeJS.Timeout {
  const reconcile = () => reconcileRuns(app).catch((err) => app.log.warn({ err }, 'reconcile failed'));
  void reconcile();
  return setInterval(reconcile, everyMs);
}

export async function startBackend(o: BackendOptions): Promise<Backend> {
  const edge = processEdge(o);
  const bus = await createBus(o.store, { url: o.config.db.url, projectDir: o.config.paths.dir });
  const app = await appContext(o, edge, bus);
  const { secrets, resolveProvider, telemetry } = app;
  const worker: RunningWorker | undefined = o.withWorker
    ? await startWorker({
        config: o.config,
        store: o.store,
        bus,
        secrets,
        resolveProvider,
        telemetry,
        log: edge.log,
        keyring: payloadKeys(o, edge.keyring),
      })
    : undefined;
  const served = await listen(app);
  const timer = startReconciler(app, o.reconcileEveryMs ?? 30_000);
  const host = o.config.api.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${served.port}`,
    port: served.port,
    app,
    worker: worker?.main,
    async close() {
      clearInterval(timer);
      app.tailer.close();
      await served.close();
      worker?.shutdown();
      await worker?.done.catch(() => {});
      await closeMcpSessions();
      await bus.close?.();
      await app.temporal.client.connection.close();
      await telemetry?.shutdown();
    },
  };
}
