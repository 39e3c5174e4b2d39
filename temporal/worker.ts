// Worker bootstrap: bundled workflows plus activities built by createActivities(deps).
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import type { Keyring } from '../db/crypto.js';
import type { Store } from '../db/knex.js';
import { workflowBundle, type BundleOptions } from './bundle.js';
import { encryptedDataConverter } from './codec.js';
import type { Telemetry } from './telemetry.js';

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
  store: Store;
  /** Traces out: activity spans, and workflow spans through the exporter sink. */
  telemetry?: Telemetry | undefined;
}

/** What tracing adds to a worker (or a replayer, whose sink calls are skipped on replay). */
export function tracingOptions(t: Telemetry) {
  return {
    interceptors: { activity: [(ctx: ConstructorParameters<typeof OpenTelemetryActivityInboundInterceptor>[0]) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })] },
    sinks: { exporter: makeWorkflowExporter(t.spanProcessor, t.resource) },
  };
}

export async function createWorker(o: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    workflowBundle: await workflowBundle(o.bundle),
    ...(o.keyring ? { dataConverter: encryptedDataConverter(o.keyring, o.store) } : {}),
    ...(o.telemetry ? tracingOptions(o.telemetry) : {}),
    maxConcurrentActivityTaskExecutions: 64,
    // A short grace period keeps Ctrl-C snappy; unfinished activities are retried by Temporal.
    shutdownGraceTime: '2s',
    // After a worker dies, its cached workflows move to another worker this soon.
    stickyQueueScheduleToStartTimeout: '3s',
  });
}
