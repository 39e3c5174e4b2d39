// The worker's composition root: the activities built over this process's store, bus, providers and
// tools, on temporal/'s two workers. The API's embedded worker and `harness worker` start it alike, so
// neither api/ nor cli/ imports activities/.
import type { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { closeBrowser } from '../activities/tools/browser.js';
import type { HarnessConfig } from '../config/index.js';
import { payloadStore } from '../db/payload-store.js';
import type { Keyring } from '../keyring/index.js';
import { closeMcpSessions } from '../mcp/client.js';
import { workflowBundleOptions } from '../temporal/bundle.js';
import { connectWorker } from '../temporal/connection.js';
import type { Telemetry } from '../temporal/telemetry.js';
import { createWorkers } from '../temporal/worker.js';

export interface WorkerDeps extends Omit<ActivityDeps, 'tools' | 'sessionQueue' | 'telemetry'> {
  /** The one configuration; `temporal.address` names the server to poll. */
  config: HarnessConfig & { temporal: { address: string } };
  /** Payloads in and out are encrypted with these keys (plain without: benchmarks compare). */
  keyring: Keyring | undefined;
  telemetry?: Telemetry | undefined;
}

export interface RunningWorker {
  /** The worker on the shared task queue. */
  main: Worker;
  /** This process's own queue, where a run's browser calls follow it. */
  sessionQueue: string;
  /** Settles when both workers have stopped and their connection, browsers and MCP sessions are closed. */
  done: Promise<void>;
  /** Ask both workers to stop (in-flight activities get the grace period, then Temporal retries them). */
  shutdown(): void;
}

/** Connect, build the activities and start polling; `done` rejects if a worker fails. */
export async function startWorker(d: WorkerDeps): Promise<RunningWorker> {
  const { config } = d;
  const connection = await connectWorker(config.temporal);
  const workers = await createWorkers({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: (sessionQueue) =>
      createActivities({
        store: d.store,
        bus: d.bus,
        secrets: d.secrets,
        resolveProvider: d.resolveProvider,
        tools: config.tools,
        telemetry: d.telemetry,
        log: d.log,
        sessionQueue,
      }),
    bundle: workflowBundleOptions(config),
    keyring: d.keyring,
    store: payloadStore(d.store),
    telemetry: d.telemetry,
    workflowCacheSize: config.temporal.workflowCacheSize,
  });
  const done = workers.run().finally(async () => {
    await connection.close();
    await closeBrowser();
    await closeMcpSessions();
  });
  return { main: workers.main, sessionQueue: workers.sessionQueue, done, shutdown: () => workers.shutdown() };
}
