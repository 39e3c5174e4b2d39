// An eval at dataset scale: N examples against a zero-latency fake, on the local dev server. It must
// finish with every example scored once, in several executions (continue-as-new), none near Temporal's
// limits. Prints one JSON line. Usage: node bin/run-ts.js bench/eval-scale.ts [examples=10000] [concurrency=16]
import proto from '@temporalio/proto';
import { addExamples, startEval } from '../api/services/evals.js';
import { seedUpperChains } from './upper-chain.js';
import * as ds from '../db/repositories/datasets.js';
import { getRun } from '../db/repositories/runs.js';
import { runExecutions } from '../temporal/executions.js';
import { echoModel } from '../test/helpers/echo-model.js';
import { benchDynamicConfig } from './edge.js';
import { startThrowawayStack } from '../test/helpers/throwaway-stack.js';

const EXAMPLES = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 16);

const stack = await startThrowawayStack({
  taskQueue: 'bench-eval',
  withWorker: true,
  script: echoModel,
  dynamicConfig: benchDynamicConfig,
});
const { backend } = stack;
try {
  const app = backend.app;
  await seedUpperChains(app, stack.fake!.baseUrl);
  const big = await ds.createDataset(app.store, { name: 'big' });
  for (let i = 0; i < EXAMPLES; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, EXAMPLES - i) }, (_, j) => ({
      inputs: { text: `t${i + j}` },
      expected: { result: `T${i + j}` },
      split: 'dev' as const,
    }));
    await addExamples(app, big, { examples: batch });
  }
  const t0 = performance.now();
  const run = await startEval(app, {
    dataset: 'big',
    target: { component: 'upper' },
    metrics: [{ name: 'exact_match', field: 'result' }],
    concurrency: CONCURRENCY,
  });
  await app.temporal.client.workflow.getHandle(run.id).result();
  const seconds = (performance.now() - t0) / 1000;
  const done = await getRun(app.store, run.id);
  const outputs = done.outputs as { examples: number; errors: number; aggregates: Record<string, { mean: number }> };
  const executions = await runExecutions(app.temporal.client, run.id);
  // Bytes as Temporal counts a history's size: its protobuf encoding.
  const sizes = executions.map((e) => ({
    events: e.history.events?.length ?? 0,
    bytes: proto.temporal.api.history.v1.History.encode(e.history).finish().byteLength,
  }));
  console.log(
    JSON.stringify({
      bench: 'eval-scale',
      examples: EXAMPLES,
      concurrency: CONCURRENCY,
      status: done.status,
      scored: outputs.examples,
      errors: outputs.errors,
      mean: outputs.aggregates['exact_match:result']?.mean,
      seconds: Math.round(seconds * 10) / 10,
      examplesPerSecond: Math.round((EXAMPLES / seconds) * 10) / 10,
      executions: executions.length,
      largestHistoryEvents: Math.max(...sizes.map((s) => s.events)),
      largestHistoryBytes: Math.max(...sizes.map((s) => s.bytes)),
      modelCalls: stack.fake!.requests.length,
    }),
  );
} finally {
  await stack.close();
}
