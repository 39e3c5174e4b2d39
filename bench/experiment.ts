// Experiments and whole-eval forks at scale on a zero-latency fake: an experiment of V variants × N examples ×
// R repeats (cells run at once), then (unless `nofork`) a 3-step pipeline eval of N examples forked at its last step. Prints one
// JSON line: wall times, examples per second, the largest history (the experiment's or a cell eval's, across
// continue-as-new), the model calls made and the calls a fork saved.
// Usage: node bin/run-ts.js bench/experiment.ts [examples=200] [variants=4] [repeats=1] [concurrency=8] [fork|nofork]
import proto from '@temporalio/proto';
import { createProvider } from '../api/services/providers.js';
import { addExamples, startEval } from '../api/services/evals.js';
import { startExperiment } from '../api/services/experiments.js';
import { forkRun } from '../api/services/forks.js';
import { createComponent, createPipeline, addComponentVersion } from '../api/services/specs.js';
import * as ds from '../db/repositories/datasets.js';
import { getRun } from '../db/repositories/runs.js';
import { runExecutions } from '../temporal/executions.js';
import { echoModel } from '../test/helpers/echo-model.js';
import { benchDynamicConfig } from './edge.js';
import { startThrowawayStack } from '../test/helpers/throwaway-stack.js';

const EXAMPLES = Number(process.argv[2] ?? 200);
const VARIANTS = Number(process.argv[3] ?? 4);
const REPEATS = Number(process.argv[4] ?? 1);
const CONCURRENCY = Number(process.argv[5] ?? 8);
const FORK = process.argv[6] !== 'nofork';

const stack = await startThrowawayStack({
  taskQueue: 'bench-experiment',
  withWorker: true,
  script: echoModel,
  dynamicConfig: benchDynamicConfig,
});
try {
  const app = stack.backend.app;
  const calls = () => stack.fake!.requests.length;
  const seconds = (t0: number) => Math.round((performance.now() - t0) / 100) / 10;
  const finished = async (id: string) => {
    await app.temporal.client.workflow.getHandle(id).result();
    return getRun(app.store, id);
  };
  await createProvider(app, { name: 'fake', type: 'openai', baseUrl: stack.fake!.baseUrl, apiKey: 'sk-bench' });
  const text = 'text: str -> result: str';
  for (const [name, op] of [
    ['shout', 'upper'],
    ['flip', 'reverse'],
    ['finish', 'upper'],
  ])
    await createComponent(app, {
      name,
      signature: text,
      instructions: `op: ${op}`,
      provider: 'fake',
      model: 'fake-model',
    });
  // The experiment's variants: versions of one component, alternating what they do.
  for (let v = 2; v <= VARIANTS; v++)
    await addComponentVersion(app, 'shout', {
      name: 'shout',
      signature: text,
      instructions: `op: ${v % 2 ? 'upper' : 'reverse'}`,
      provider: 'fake',
      model: 'fake-model',
    });
  await createPipeline(app, {
    name: 'chain',
    inputs: { text: 'str' },
    steps: [
      { id: 'a', component: 'shout@1', inputs: { text: '$inputs.text' } },
      { id: 'b', component: 'flip', inputs: { text: '$steps.a.outputs.result' } },
      { id: 'c', component: 'finish', inputs: { text: '$steps.b.outputs.result' } },
    ],
    outputs: { result: '$steps.c.outputs.result' },
  });
  const d = await ds.createDataset(app.store, { name: 'words' });
  for (let i = 0; i < EXAMPLES; i += 1000)
    await addExamples(app, d, {
      examples: Array.from({ length: Math.min(1000, EXAMPLES - i) }, (_, j) => ({
        inputs: { text: `w${i + j}z` },
        expected: { result: `W${i + j}Z` },
        split: 'dev' as const,
      })),
    });
  const metrics = [{ name: 'exact_match' as const, field: 'result' }];

  const before = calls();
  const t0 = performance.now();
  const experiment = await startExperiment(app, {
    dataset: 'words',
    variants: Array.from({ length: VARIANTS }, (_, i) => ({ target: { component: `shout@${i + 1}` } })),
    metrics,
    repeats: REPEATS,
    concurrency: CONCURRENCY,
  });
  const exp = await finished(experiment.id);
  const experimentSeconds = seconds(t0);
  const experimentCalls = calls() - before;
  // The experiment's history and each cell eval's, every execution of each (continue-as-new), by Temporal's count.
  const cells = (exp.inputs as { cells: Array<{ evalRunId: string }> }).cells.map((c) => c.evalRunId);
  const sizes = [];
  for (const id of [experiment.id, ...cells])
    for (const e of await runExecutions(app.temporal.client, id))
      sizes.push({
        events: e.history.events?.length ?? 0,
        bytes: proto.temporal.api.history.v1.History.encode(e.history).finish().byteLength,
      });

  /** A 3-step pipeline eval of every example, then its fork at the last step: the calls the fork saved. */
  async function forkBench() {
    let before = calls();
    let t0 = performance.now();
    const source = await startEval(app, {
      dataset: 'words',
      target: { pipeline: 'chain' },
      metrics,
      concurrency: CONCURRENCY,
    });
    await finished(source.id);
    const sourceSeconds = seconds(t0);
    const sourceCalls = calls() - before;
    await addComponentVersion(app, 'finish', {
      name: 'finish',
      signature: text,
      instructions: 'op: reverse',
      provider: 'fake',
      model: 'fake-model',
    });
    before = calls();
    t0 = performance.now();
    const forkRunView = await forkRun(app, await getRun(app.store, source.id), {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    const forked = await finished(forkRunView.id);
    const forkSeconds = seconds(t0);
    const forkCalls = calls() - before;
    return {
      sourceSeconds,
      sourceCalls,
      seconds: forkSeconds,
      calls: forkCalls,
      callsSaved: (forked.outputs as { reusedSteps?: number } | null)?.reusedSteps ?? 0,
      status: forked.status,
    };
  }
  const fork = FORK ? await forkBench() : undefined;
  const runs = VARIANTS * EXAMPLES * REPEATS;
  console.log(
    JSON.stringify({
      bench: 'experiment',
      examples: EXAMPLES,
      variants: VARIANTS,
      repeats: REPEATS,
      concurrencyPerCell: CONCURRENCY,
      experiment: {
        status: exp.status,
        seconds: experimentSeconds,
        exampleRunsPerSecond: Math.round((runs / experimentSeconds) * 10) / 10,
        modelCalls: experimentCalls,
        largestHistoryEvents: Math.max(...sizes.map((x) => x.events)),
        largestHistoryBytes: Math.max(...sizes.map((x) => x.bytes)),
      },
      fork,
    }),
  );
} finally {
  await stack.close();
}
