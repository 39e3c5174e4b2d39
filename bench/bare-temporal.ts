// Bare Temporal next to the harness, for the floor benchmarks. The harness's own stack for a benchmark is
// test/helpers/throwaway-stack.ts: the replay corpus recorder uses it too, and test/ never imports bench/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';

/**
 * Bare Temporal next to the harness: a worker for chains of activities, and a client to start them. Each activity is
 * a no-op, or `work` (bench/peers: one call to the fake provider).
 */
export async function startBareTemporal(
  address: string,
  taskQueue: string,
  work: (i: number) => Promise<unknown> = async () => undefined,
) {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), 'floor-workflow.ts'),
    activities: { noop: async (i: number) => (await work(i), i) },
  });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect({ address }) });
  return {
    /** Run a chain of `activities` no-op activities to its end. */
    chain: (workflowId: string, activities: number) =>
      client.workflow.execute('noopChain', { taskQueue, workflowId, args: [activities] }),
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
    },
  };
}
