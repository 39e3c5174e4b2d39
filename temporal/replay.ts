// Replay a run's recorded history against today's workflow code (a determinism check).
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Keyring } from '../db/crypto.js';
import { workflowBundle } from './bundle.js';
import { encryptedDataConverter } from './codec.js';

export async function replayRun(client: Client, workflowId: string, bundle: Parameters<typeof workflowBundle>[0], keys: Keyring): Promise<{ ok: boolean; error?: string }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  try {
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(bundle), dataConverter: encryptedDataConverter(keys) }, history, workflowId);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
