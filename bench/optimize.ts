// MIPROv2 and GEPA on the fake provider: wall time and model calls per candidate, and what durability costs over
// the same search in a plain loop. A plain loop makes the same calls in the same order and as many at once, so its
// time is the time some call was in flight at the fake; durability's cost is the rest of the wall time, over that.
// Prints one JSON line per optimizer. Usage: node bin/run-ts.js bench/optimize.ts [latencyMs=300] [train=40] [dev=40]
import { addExamples } from '../api/services/evals.js';
import { startOptimization } from '../api/services/optimizations.js';
import { createProvider } from '../api/services/providers.js';
import { createComponent } from '../api/services/specs.js';
import * as ds from '../db/repositories/datasets.js';
import { getRun } from '../db/repositories/runs.js';
import { ideaExamples, ideaModel } from '../test/helpers/idea-model.js';
import { startThrowawayStack } from '../test/helpers/throwaway-stack.js';
import { benchDynamicConfig } from './edge.js';

const LATENCY_MS = Number(process.argv[2] ?? 300);
const TRAIN = Number(process.argv[3] ?? 40);
const DEV = Number(process.argv[4] ?? 40);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** When each call was at the fake: [arrived, answered] in ms. */
const calls: Array<[number, number]> = [];
const stack = await startThrowawayStack({
  taskQueue: 'bench-optimize',
  withWorker: true,
  script: async (req) => {
    const arrived = performance.now();
    if (LATENCY_MS) await sleep(LATENCY_MS);
    calls.push([arrived, performance.now()]);
    return ideaModel(req);
  },
  dynamicConfig: benchDynamicConfig,
});
const fake = stack.fake!;

/** How long at least one of these calls was in flight: what a plain loop making them as the search did would take. */
function busyMs(intervals: Array<[number, number]>): number {
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

try {
  const app = stack.backend.app;
  await createProvider(app, { name: 'fake', type: 'openai', baseUrl: fake.baseUrl, apiKey: 'sk-bench' });
  await createComponent(app, {
    name: 'coder',
    signature: 'question: str -> answer: str',
    instructions: 'Answer the question.',
    provider: 'fake',
    model: 'fake-model',
  });
  const d = await ds.createDataset(app.store, { name: 'codes' });
  await addExamples(app, d, { examples: ideaExamples(TRAIN, DEV, 20) });
  const metric = { name: 'exact_match' as const, field: 'answer', args: { caseSensitive: true } };
  const searches = {
    mipro: { optimizer: 'mipro', trials: 10, minibatch: Math.min(20, DEV), fullEvalEvery: 5 },
    gepa: { optimizer: 'gepa', trials: 10 },
  };
  for (const [name, options] of Object.entries(searches)) {
    // A cache off: every candidate's calls are made, so the figures are the search's own, not earlier runs' answers.
    const from = fake.requests.length;
    const fromCall = calls.length;
    const t0 = performance.now();
    const run = await startOptimization(app, {
      component: 'coder@1',
      dataset: 'codes',
      metric,
      seed: 1,
      cache: 'off',
      ...options,
    });
    await app.temporal.client.workflow.getHandle(run.id).result();
    const durableMs = performance.now() - t0;
    const done = await getRun(app.store, run.id);
    const requests = fake.requests.slice(from);
    const outputs = done.outputs as { spent: { candidates: number }; after: number; saved: boolean };
    // Every eval the search ran: the candidates, the current program's, and the held-out verdict's two.
    const evals = outputs.spent.candidates + 3;
    const plainMs = busyMs(calls.slice(fromCall));
    console.log(
      JSON.stringify({
        bench: 'optimize',
        optimizer: name,
        latencyMs: LATENCY_MS,
        status: done.status,
        after: outputs.after,
        saved: outputs.saved,
        candidates: outputs.spent.candidates,
        modelCalls: requests.length,
        callsPerCandidate: Math.round((requests.length / evals) * 10) / 10,
        wallSeconds: Math.round(durableMs / 100) / 10,
        msPerCandidate: Math.round(durableMs / evals),
        modelBusySeconds: Math.round(plainMs / 100) / 10,
        // Against a zero-latency fake there is no model time to compare with: the wall time is all overhead.
        durabilityOverhead: plainMs >= 1000 ? Math.round(((durableMs - plainMs) / plainMs) * 1000) / 1000 : null,
      }),
    );
  }
} finally {
  await stack.close();
}
