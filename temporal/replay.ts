// Replay a run's recorded history against today's workflow code (a determinism check).
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Keyring } from '../db/crypto.js';
import { workflowBundle, type BundleOptions } from './bundle.js';
import { encryptedDataConverter } from './codec.js';
import type { Telemetry } from './telemetry.js';
import { tracingOptions } from './worker.js';

export async function replayRun(client: Client, workflowId: string, bundle: BundleOptions, keys: Keyring, telemetry?: Telemetry): Promise<{ ok: boolean; error?: string }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  try {
    // A traced bundle calls the exporter sink, which replay registers and then skips.
    const sinks = telemetry ? { sinks: tracingOptions(telemetry).sinks } : {};
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(bundle), dataConverter: encryptedDataConverter(keys), ...sinks }, history, workflowId);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
