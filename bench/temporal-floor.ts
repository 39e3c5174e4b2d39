// Per-activity latency of a bare Temporal workflow (no-op activities in sequence) on the local
// dev server: the platform floor that bench/step-overhead is measured against. Prints one JSON line.
// Prints Temporal's defaults and the managed dev server's tuning side by side.
// Usage: node bin/run-ts.js bench/temporal-floor.ts [activities=20] [workflows=6]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { userTemporalCli } from '../test/helpers/throwaway-stack.js';
import { startBareTemporal } from './bare-temporal.js';
import { INTERACTIVE_DYNAMIC_CONFIG, startDevServer } from '../temporal/dev-server.js';
import { installTemporalRuntime, shutdownTemporalRuntime } from '../temporal/runtime.js';
import { freePort } from '../test/helpers/ports.js';

const N = Number(process.argv[2] ?? 20);
const RUNS = Number(process.argv[3] ?? 6);
installTemporalRuntime('ERROR');
/** Per-activity latency of N no-op activities in sequence, on a fresh dev server. */
async function floor(untuned: boolean) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-floor-'));
  const server = await startDevServer({
    cliPath: userTemporalCli(),
    dbFile: path.join(dir, 'temporal.db'),
    port: await freePort(),
    uiPort: await freePort(),
    untuned,
  });
  const bare = await startBareTemporal(server.address, 'floor');
  const perActivity: number[] = [];
  try {
    for (let r = 0; r < RUNS; r++) {
      const t0 = performance.now();
      await bare.chain(`floor-${r}`, N);
      perActivity.push(Math.round(((performance.now() - t0) / N) * 100) / 100);
    }
  } finally {
    await bare.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...perActivity].sort((a, b) => a - b);
  return { perActivityMsByWorkflow: perActivity, perActivityMsP50: sorted[Math.floor(sorted.length / 2)] };
}

// Temporal's defaults next to the tuning the managed dev server uses (INTERACTIVE_DYNAMIC_CONFIG).
const untuned = await floor(true);
const tuned = await floor(false);
await shutdownTemporalRuntime();
console.log(
  JSON.stringify({
    bench: 'temporal-floor',
    activities: N,
    workflows: RUNS,
    default: untuned,
    tuned,
    tuning: INTERACTIVE_DYNAMIC_CONFIG,
  }),
);
