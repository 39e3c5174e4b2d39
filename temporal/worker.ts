// Worker bootstrap: bundled workflows plus activities built by createActivities(deps).
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import type { Keyring } from '../db/crypto.js';
import { workflowBundle } from './bundle.js';
import { encryptedDataConverter } from './codec.js';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** A prebuilt bundle, else one built (and cached in cacheDir) from today's code. */
  bundle: { prebuilt?: string | undefined; cacheDir: string };
  /** Payloads in and out of this worker are encrypted with these keys (plain without: benchmarks compare). */
  keyring: Keyring | undefined;
}

export async function createWorker(o: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    workflowBundle: await workflowBundle(o.bundle),
    ...(o.keyring ? { dataConverter: encryptedDataConverter(o.keyring) } : {}),
    maxConcurrentActivityTaskExecutions: 64,
    // A short grace period keeps Ctrl-C snappy; unfinished activities are retried by Temporal.
    shutdownGraceTime: '2s',
    // After a worker dies, its cached workflows move to another worker this soon.
    stickyQueueScheduleToStartTimeout: '3s',
  });
}
