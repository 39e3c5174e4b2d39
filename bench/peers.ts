// The same workload on the durable engines a user might pick, beside the harness, interleaved in rounds: a chain of
// steps, each one call to the zero-latency fake OpenAI server, recorded durably before the next. Per-step overhead =
// (a 10-step run's wall time − 10 × a direct call's p50) / 10; throughput = runs/s of 1- and 3-step chains from
// closed-loop clients. The peers come from .vloop/tools/peers (npm run setup:bench-peers); one that cannot start is
// named in `skipped` with why, never left out silently. Prints one JSON line.
// Usage: node bin/run-ts.js bench/peers.ts [rounds=3] [runs=10] [seconds=5] [clients=8]
import { startPipelineRun } from '../api/services/runs.js';
import { echoModel } from '../test/helpers/echo-model.js';
import { startThrowawayStack } from '../test/helpers/throwaway-stack.js';
import { startBareTemporal } from './bare-temporal.js';
import { benchDynamicConfig, benchPgUrl } from './edge.js';
import { startDbos } from './peers/dbos.js';
import { fakeStep, type Engine } from './peers/engine.js';
import { startLangGraph } from './peers/langgraph.js';
import { startRestate } from './peers/restate.js';
import { seedUpperChains } from './upper-chain.js';

const ROUNDS = Number(process.argv[2] ?? 3);
const RUNS = Number(process.argv[3] ?? 10);
const SECONDS = Number(process.argv[4] ?? 5);
const CLIENTS = Number(process.argv[5] ?? 8);
const STEPS = 10;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const median = (xs: number[]) => quantile(xs, 0.5);
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Runs per second of `one()` from CLIENTS closed loops for SECONDS. */
async function throughput(one: () => Promise<void>): Promise<number> {
  let done = 0;
  const t0 = performance.now();
  const deadline = t0 + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        await one();
        done++;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}

const stack = await startThrowawayStack({
  taskQueue: 'peers',
  withWorker: true,
  script: echoModel,
  dynamicConfig: benchDynamicConfig,
});
const fake = stack.fake!;
const engines: Engine[] = [];
const skipped: Array<{ engine: string; why: string }> = [];
try {
  const app = stack.backend.app;
  await seedUpperChains(app, fake.baseUrl, [1, 3, STEPS]);
  engines.push({
    name: 'harness',
    durability: 'this project, per-step activities (Temporal, events in SQLite)',
    async chain(steps) {
      const run = await startPipelineRun(app, `chain${steps}`, { inputs: { text: 'bench' } });
      await app.temporal.client.workflow.getHandle(run.id).result();
    },
    close: async () => undefined,
  });
  const step = fakeStep(fake.baseUrl);
  const bare = await startBareTemporal(stack.temporal.address, 'peers-bare', () => step());
  let bareRuns = 0;
  engines.push({
    name: 'temporal',
    durability: 'bare Temporal TypeScript SDK (an activity per step, the same dev server)',
    chain: async (steps) => void (await bare.chain(`peers-${bareRuns++}`, steps)),
    close: () => bare.close(),
  });
  const peers: Array<[string, () => Promise<Engine>]> = [
    ['dbos', () => startDbos(fake.baseUrl, benchPgUrl)],
    ['restate', () => startRestate(fake.baseUrl)],
    ['langgraph', () => startLangGraph(fake.baseUrl)],
  ];
  for (const [name, start] of peers)
    try {
      engines.push(await start());
    } catch (err) {
      const why = (err as Error).message.split('\n')[0]!;
      skipped.push({ engine: name, why });
      console.error(`bench/peers: ${name} skipped: ${why}`);
    }

  // The fake call alone, as every peer makes it.
  const direct: number[] = [];
  for (let i = 0; i < 220; i++) {
    const t0 = performance.now();
    await step();
    if (i >= 20) direct.push(performance.now() - t0);
  }
  const directP50 = median(direct);

  const rounds: Record<string, Array<{ p50: number; p95: number; one: number; three: number }>> = {};
  for (let r = 0; r < ROUNDS; r++)
    for (const e of engines) {
      for (let w = 0; w < 2; w++) await e.chain(STEPS);
      const perStep: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await e.chain(STEPS);
        perStep.push((performance.now() - t0 - STEPS * directP50) / STEPS);
      }
      const one = await throughput(() => e.chain(1));
      const three = await throughput(() => e.chain(3));
      (rounds[e.name] ??= []).push({ p50: quantile(perStep, 0.5), p95: quantile(perStep, 0.95), one, three });
    }

  const summary = Object.fromEntries(
    engines.map((e) => {
      const rs = rounds[e.name]!;
      return [
        e.name,
        {
          durability: e.durability,
          overheadPerStepMs: { p50: round2(median(rs.map((x) => x.p50))), p95: round2(median(rs.map((x) => x.p95))) },
          runsPerSec: {
            oneStep: round2(median(rs.map((x) => x.one))),
            threeStep: round2(median(rs.map((x) => x.three))),
          },
        },
      ];
    }),
  );
  const ours = summary.harness!;
  console.log(
    JSON.stringify({
      bench: 'peers',
      rounds: ROUNDS,
      runsPerRound: RUNS,
      steps: STEPS,
      clients: CLIENTS,
      seconds: SECONDS,
      directCallMsP50: round2(directP50),
      engines: summary,
      // How the harness compares: its overhead as a multiple of each engine's, its 3-step throughput as a fraction.
      harnessVs: Object.fromEntries(
        Object.entries(summary)
          .filter(([name]) => name !== 'harness')
          .map(([name, s]) => [
            name,
            {
              overheadP50Ratio: round2(ours.overheadPerStepMs.p50 / Math.max(0.01, s.overheadPerStepMs.p50)),
              throughput3Ratio: round2(ours.runsPerSec.threeStep / s.runsPerSec.threeStep),
            },
          ]),
      ),
      skipped,
    }),
  );
} finally {
  for (const e of engines.slice(1)) await e.close().catch(() => undefined);
  await stack.close();
}
// DBOS and the SQLite checkpointer keep handles open; the measurement is printed.
process.exit(0);
