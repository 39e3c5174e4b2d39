// Throughput: 1-step and 3-step pipelines started over HTTP by closed-loop clients at rising
// concurrency, next to bare Temporal workflows of 1 and 3 no-op activities on the same dev server.
// Prints one JSON line. Usage: node bin/run-ts.js bench/throughput.ts [secondsPerLevel=10] [levels=2,8,16]
import fs from 'node:fs';
import type { Store } from '../db/knex.js';
import { echoModel } from '../test/helpers/echo-model.js';
import { THROWAWAY_TOKEN as TOKEN, startThrowawayStack } from '../test/helpers/throwaway-stack.js';
import { startBareTemporal } from './bare-temporal.js';
import { seedUpperChains } from './upper-chain.js';

const SECONDS = Number(process.argv[2] ?? 10);
const LEVELS = (process.argv[3] ?? '2,8,16').split(',').map(Number);
const q = (xs: number[], p: number) =>
  xs.length
    ? Math.round([...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]! * 10) / 10
    : null;

/** CPU seconds a process has used (user + system), from /proc: where a run's cost goes. */
function processCpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** `clients` closed loops doing `one()` for SECONDS: completed per second, latency percentiles, CPU per run. */
async function load(clients: number, one: () => Promise<void>) {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const server0 = processCpuSeconds(temporalPid);
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const s = performance.now();
        await one();
        latencies.push(performance.now() - s);
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  const perRun = (seconds: number) => Math.round((seconds * 1000 * 10) / Math.max(1, latencies.length)) / 10;
  return {
    runsPerSec: Math.round((latencies.length / ((performance.now() - t0) / 1000)) * 10) / 10,
    completed: latencies.length,
    p50Ms: q(latencies, 0.5),
    p95Ms: q(latencies, 0.95),
    // This process (API, worker, fake provider and the clients) and the Temporal dev server.
    cpuMsPerRun: {
      node: perRun((cpu.user + cpu.system) / 1e6),
      temporal: perRun(processCpuSeconds(temporalPid) - server0),
    },
  };
}

/** How many of these runs the store holds as completed, asked in slices (SQLite caps a statement's variables). */
async function completedOf(store: Store, ids: string[]): Promise<number> {
  let completed = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const [row] = await store
      .knex('runs')
      .whereIn('id', ids.slice(i, i + 500))
      .where({ status: 'completed' })
      .count({ n: '*' });
    completed += Number(row?.n ?? 0);
  }
  return completed;
}

const stack = await startThrowawayStack({ taskQueue: 'tput', withWorker: true, script: echoModel });
const { backend, store, temporal } = stack;
const fake = stack.fake!;
const temporalPid = temporal.process.pid!;
const bare = await startBareTemporal(temporal.address, 'bare');
const started: string[] = [];
try {
  const app = backend.app;
  await seedUpperChains(app, fake.baseUrl, [1, 3]);
  const harnessRun = (steps: number) => async () => {
    const res = await fetch(`${backend.url}/api/pipelines/chain${steps}/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: { text: 'load' } }),
    });
    const run = (await res.json()) as { id: string };
    started.push(run.id);
    await app.temporal.client.workflow.getHandle(run.id).result();
  };
  let n = 0;
  const bareRun = (activities: number) => async () => {
    await bare.chain(`bare-${n++}`, activities);
  };
  await load(2, harnessRun(1)); // warm-up
  const levels = [];
  for (const c of LEVELS) {
    const row = {
      concurrency: c,
      harness1: await load(c, harnessRun(1)),
      bare1: await load(c, bareRun(1)),
      harness3: await load(c, harnessRun(3)),
      bare3: await load(c, bareRun(3)),
    };
    levels.push({
      ...row,
      ratio1: Math.round((row.harness1.runsPerSec / row.bare1.runsPerSec) * 100) / 100,
      ratio3: Math.round((row.harness3.runsPerSec / row.bare3.runsPerSec) * 100) / 100,
    });
  }
  // No run lost: every run started over HTTP ended completed, in the store too (all of them, not the last 5,000).
  const completed = await completedOf(store, started);
  console.log(
    JSON.stringify({
      bench: 'throughput',
      secondsPerLevel: SECONDS,
      levels,
      runsStarted: started.length,
      runsCompleted: completed,
      runsNotCompleted: started.length - completed,
      goalRatio: 0.6,
    }),
  );
} finally {
  await bare.close();
  await stack.close();
}
