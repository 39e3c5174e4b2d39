// Per-step orchestration overhead of an N-step chain on the local dev server, against a
// zero-latency fake provider, compared with calling the provider directly in-process.
// Prints one JSON line. Usage: node bin/run-ts.js bench/step-overhead.ts [steps=10] [runs=10] [plain]
// (`plain`: Temporal payloads unencrypted, to show what encryption costs).
import fs from 'node:fs';
import { createOpenAiProvider } from '../providers/openai.js';
import { startPipelineRun } from '../api/services/runs.js';
import { createProvider } from '../api/services/providers.js';
import { createComponent, createPipeline } from '../api/services/specs.js';
import { parsePredict, renderPredict } from '../core/adapters.js';
import { parseSignature } from '../core/signature.js';
import { listEvents } from '../db/repositories/runs.js';
import { benchDynamicConfig, benchHistoryDump } from './edge.js';
import { startThrowawayStack } from '../test/helpers/throwaway-stack.js';
import { echoModel } from '../test/helpers/echo-model.js';

const STEPS = Number(process.argv[2] ?? 10);
const RUNS = Number(process.argv[3] ?? 10);
const ENCRYPTED = process.argv[4] !== 'plain';
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 100) / 100;
};

const stack = await startThrowawayStack({ taskQueue: 'bench', withWorker: true, script: echoModel, dynamicConfig: benchDynamicConfig, encryptPayloads: ENCRYPTED });
const { backend, store } = stack;
const fake = stack.fake!;
try {
  const app = backend.app;
  await createProvider(app, { name: 'fake', type: 'openai', baseUrl: fake.baseUrl, apiKey: 'sk-bench', defaultModel: 'fake-model' });
  await createComponent(app, { name: 'upper', signature: 'text: str -> result: str', instructions: 'op: upper', provider: 'fake' });
  await createPipeline(app, {
    name: 'chain',
    inputs: { text: 'str' },
    steps: Array.from({ length: STEPS }, (_, i) => ({ id: `s${i}`, component: 'upper', inputs: { text: i ? `$steps.s${i - 1}.outputs.result` : '$inputs.text' } })),
    outputs: { result: `$steps.s${STEPS - 1}.outputs.result` },
  });

  // Baseline: the same render + SDK call + parse, in-process, no orchestration.
  const provider = createOpenAiProvider({ baseUrl: fake.baseUrl, apiKey: 'sk-bench' });
  const signature = parseSignature('text: str -> result: str');
  const direct: number[] = [];
  for (let i = 0; i < 20 + STEPS * RUNS; i++) {
    const t0 = performance.now();
    const messages = renderPredict({ signature, instructions: 'op: upper' }, { text: 'bench' });
    parsePredict(signature, (await provider.complete({ model: 'fake-model', messages })).text);
    if (i >= 20) direct.push(performance.now() - t0);
  }

  const stepMs: number[] = [];
  const runMs: number[] = [];
  // Where a step's time goes, between consecutive events of the chain.
  const phases: Record<string, number[]> = {};
  for (let r = 0; r < RUNS + 1; r++) {
    const t0 = performance.now();
    const run = await startPipelineRun(app, 'chain', { inputs: { text: 'bench' } });
    await app.temporal.client.workflow.getHandle(run.id).result();
    const elapsed = performance.now() - t0;
    if (r === 0) continue; // warm-up: first bundle load and connection set-up
    runMs.push(elapsed);
    if (benchHistoryDump && r === RUNS) {
      const h = await app.temporal.client.workflow.getHandle(run.id).fetchHistory();
      fs.writeFileSync(benchHistoryDump, JSON.stringify(h.events!.map((e) => [e.eventType, Number(e.eventTime!.seconds) * 1000 + Math.round(e.eventTime!.nanos! / 1e6)])));
    }
    const events = await listEvents(store, run.id, 0, 10_000);
    const done = events.filter((e) => e.type === 'step.completed').map((e) => Date.parse(e.time));
    const started = Date.parse(events.find((e) => e.type === 'run.started')!.time);
    done.forEach((t, i) => stepMs.push(t - (i ? done[i - 1]! : started)));
    for (let i = 1; i < events.length; i++) {
      const key = `${events[i - 1]!.type} -> ${events[i]!.type}`;
      (phases[key] ??= []).push(Date.parse(events[i]!.time) - Date.parse(events[i - 1]!.time));
    }
  }
  const directP50 = quantile(direct, 0.5);
  console.log(
    JSON.stringify({
      bench: 'step-overhead',
      steps: STEPS,
      runs: RUNS,
      directCallMs: { p50: directP50, p95: quantile(direct, 0.95) },
      stepMs: { p50: quantile(stepMs, 0.5), p95: quantile(stepMs, 0.95) },
      overheadPerStepMs: { p50: Math.round((quantile(stepMs, 0.5) - directP50) * 100) / 100, p95: Math.round((quantile(stepMs, 0.95) - directP50) * 100) / 100 },
      runMs: { p50: quantile(runMs, 0.5), p95: quantile(runMs, 0.95) },
      goalOverheadP50Ms: 20,
      phasesMsP50: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, quantile(v, 0.5)])),
      store: 'sqlite',
      payloads: ENCRYPTED ? 'encrypted (AES-256-GCM)' : 'plain',
    }),
  );
} finally {
  await stack.close();
}
