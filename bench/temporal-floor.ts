// Per-activity latency of a bare Temporal workflow (no-op activities in sequence) on the local
// dev server: the platform floor that bench/step-overhead is measured against. Prints one JSON line.
// Usage: node bin/run-ts.js bench/temporal-floor.ts [activities=20] [workflows=6]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { benchTemporalCli } from './edge.js';
import { startDevServer } from '../temporal/dev-server.js';
import { installTemporalRuntime } from '../temporal/runtime.js';
import { freePort } from '../test/helpers/ports.js';

const N = Number(process.argv[2] ?? 20);
const RUNS = Number(process.argv[3] ?? 6);
installTemporalRuntime('ERROR');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-floor-'));
const server = await startDevServer({ cliPath: benchTemporalCli(), dbFile: path.join(dir, 'temporal.db'), port: await freePort(), uiPort: await freePort() });
const connection = await NativeConnection.connect({ address: server.address });
const worker = await Worker.create({
  connection,
  taskQueue: 'floor',
  workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), 'floor-workflow.ts'),
  activities: { noop: async (i: number) => i },
});
const running = worker.run();
const client = new Client({ connection: await Connection.connect({ address: server.address }) });
const perActivity: number[] = [];
try {
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await client.workflow.execute('noopChain', { taskQueue: 'floor', workflowId: `floor-${r}`, args: [N] });
    perActivity.push(Math.round(((performance.now() - t0) / N) * 100) / 100);
  }
  const sorted = [...perActivity].sort((a, b) => a - b);
  console.log(JSON.stringify({ bench: 'temporal-floor', activities: N, workflows: RUNS, perActivityMsByWorkflow: perActivity, perActivityMsP50: sorted[Math.floor(sorted.length / 2)] }));
} finally {
  worker.shutdown();
  await running;
  await connection.close();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
