// Worker bootstrap: bundled workflows plus the activities the composition root (worker/) hands in.
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Keyring } from '../keyring/index.js';
import { workflowBundle, type BundleOptions } from './bundle.js';
import { encryptedDataConverter } from './codec.js';
import type { PayloadStore } from './payload-store.js';
import type { Telemetry } from './telemetry.js';

/** The activity functions by name, as Worker.create takes them (temporal/ does not know which). */
export type Activities = object;

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle, else one built (and cached in cacheDir) from today's code. */
  bundle: BundleOptions;
  /** Payloads in and out of this worker are encrypted with these keys (plain without: benchmarks compare). */
  keyring: Keyring | undefined;
  /** Where large payloads are kept as artifacts. */
  store: PayloadStore;
  /** Traces out: activity spans, and workflow spans through the exporter sink. */
  telemetry?: Telemetry | undefined;
  /** Workflows kept in memory; 0 sends every workflow task to whichever worker polls first. */
  workflowCacheSize?: number | undefined;
}

/** What tracing adds to a worker (or a replayer, whose sink calls are skipped on replay). */
export function tracingOptions(t: Telemetry) {
  return {
    interceptors: {
      activity: [
        (ctx: ConstructorParameters<typeof OpenTelemetryActivityInboundInterceptor>[0]) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(t.spanProcessor, t.resource) },
  };
}

/**
 * A worker process's own task queue. A run's browser lives in one process, so its browser calls go to
 * the queue of the worker that opened it (the workflow asks which with browserSessionQueue).
 */
const sessionQueueName = (taskQueue: string): string =>
  `${taskQueue}@${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

/**
 * A cancel reaches a running activity only in the answer to its next heartbeat, and the SDK holds heartbeats back
 * for 80% of the heartbeat timeout (8 s at the default 10 s): a cancelled model call streamed on for seconds, a
 * command ran on. Sent at most once a second, a heartbeat brings the abort within about a second.
 */
const CANCEL_PROMPTLY = { maxHeartbeatThrottleInterval: '1s' } as const;

/** The activity-only worker polling this process's session queue. */
async function createSessionWorker(
  o: Omit<WorkerOptions, 'bundle' | 'taskQueue'> & { sessionQueue: string },
): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.sessionQueue,
    activities: o.activities,
    ...(o.keyring ? { dataConverter: encryptedDataConverter(o.keyring, o.store) } : {}),
    ...(o.telemetry ? { interceptors: tracingOptions(o.telemetry).interceptors } : {}),
    shutdownGraceTime: '2s',
    ...CANCEL_PROMPTLY,
  });
}

async function createWorker(o: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    workflowBundle: await workflowBundle(o.bundle),
    ...(o.keyring ? { dataConverter: encryptedDataConverter(o.keyring, o.store) } : {}),
    ...(o.telemetry ? tracingOptions(o.telemetry) : {}),
    maxConcurrentActivityTaskExecutions: 64,
    ...(o.workflowCacheSize !== undefined ? { maxCachedWorkflows: o.workflowCacheSize } : {}),
    // A short grace period keeps Ctrl-C snappy; unfinished activities are retried by Temporal.
    shutdownGraceTime: '2s',
    // After a worker dies, its cached workflows move to another worker this soon.
    stickyQueueScheduleToStartTimeout: '3s',
    ...CANCEL_PROMPTLY,
  });
}

export interface ProcessWorkers {
  /** Workflows and activities on the shared task queue. */
  main: Worker;
  /** This process's own queue (see sessionQueueName). */
  sessionQueue: string;
  /** Both workers, until both shut down. */
  run(): Promise<void>;
  shutdown(): void;
}

/** A worker process's two workers; its activities know the session queue, so a run's browser can follow it. */
export async function createWorkers(
  o: Omit<WorkerOptions, 'activities'> & { activities: (sessionQueue: string) => Activities },
): Promise<ProcessWorkers> {
  const sessionQueue = sessionQueueName(o.taskQueue);
  const activities = o.activities(sessionQueue);
  const main = await createWorker({ ...o, activities });
  const sessions = await createSessionWorker({ ...o, activities, sessionQueue });
  return {
    main,
    sessionQueue,
    run: async () => {
      await Promise.all([main.run(), sessions.run()]);
    },
    shutdown: () => {
      for (const w of [main, sessions]) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
