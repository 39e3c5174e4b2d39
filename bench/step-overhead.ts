// Per-step orchestration overhead of an N-step chain on the local dev server, against a
// zero-latency fake provider, compared with calling the provider directly in-process.
// Prints one JSON line. Usage: node bin/run-ts.js bench/step-overhead.ts [steps=10] [runs=10] [plain]
// (`plain`: Temporal payloads unencrypted, to show what encryption costs).
import fs from 'node:fs';
import { createOpenAiProvider } from '../providers/openai.js';
import { startPipelineRun } from '../api/services/runs.js';
import { parsePredict, renderPredict } from '../core/adapters.js';
import { parseSignature } from '../core/signature.js';
import { listEvents } from '../db/repositories/runs.js';
import { benchDynamicConfig, benchHistoryDump } from './edge.js';
import { seedUpperChains } from './upper-chain.js';
import { startThrowawayStack } from '../test/helpers/throwaway-stack.js';
import { echoModel } from '../test/helpers/echo-model.js';

const STEPS = Number(process.argv[2] ?? 10);
const RUNS = Number(process.argv[3] ?? 10);
const ENCRYPTED = process.argv[4] !== 'plain';
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 100) / 100;
};

/**
 * The time between consecutive writes of a run's events, named by what each write held. Events written together
 * share one time (a step's completion rides with the next step's start, ADR 0014), so a phase between two of them
 * would read 0 by construction: they are one write here ('step.completed + step.started'), and the phase before
 * it is the hand-off from one step's answer to the next step's activity running.
 */
function phaseTimes(events: Array<{ type: string; time: string }>): Array<[string, number]> {
  const writes: Array<{ types: string[]; at: number }> = [];
  for (const e of events) {
    const at = Date.parse(e.time);
    if (writes.at(-1)?.at === at) writes.at(-1)!.types.push(e.type);
    else writes.push({ types: [e.type], at });
  }
  return writes
    .slice(1)
    .map((w, i) => [`${writes[i]!.types.join(' + ')} -> ${w.types.join(' + ')}`, w.at - writes[i]!.at]);
}

const stack = await startThrowawayStack({
  taskQueue: 'bench',
  withWorker: true,
  script: echoModel,
  dynamicConfig: benchDynamicConfig,
  encryptPayloads: ENCRYPTED,
});
const { backend, store } = stack;
const fake = stack.fake!;
try {
  const app = backend.app;
  await seedUpperChains(app, fake.baseUrl, [STEPS]);

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
  // Where a step's time goes, between consecutive writes of the chain's events.
  const phases: Record<string, number[]> = {};
  for (let r = 0; r < RUNS + 1; r++) {
    const t0 = performance.now();
    const run = await startPipelineRun(app, `chain${STEPS}`, { inputs: { text: 'bench' } });
    await app.temporal.client.workflow.getHandle(run.id).result();
    const elapsed = performance.now() - t0;
    if (r === 0) continue; // warm-up: first bundle load and connection set-up
    runMs.push(elapsed);
    if (benchHistoryDump && r === RUNS) {
      const h = await app.temporal.client.workflow.getHandle(run.id).fetchHistory();
      fs.writeFileSync(
        benchHistoryDump,
        JSON.stringify(
          h.events!.map((e) => [
            e.eventType,
            Number(e.eventTime!.seconds) * 1000 + Math.round(e.eventTime!.nanos! / 1e6),
          ]),
        ),
      );
    }
    const events = await listEvents(store, run.id, 0, 10_000);
    const done = events.filter((e) => e.type === 'step.completed').map((e) => Date.parse(e.time));
    const started = Date.parse(events.find((e) => e.type === 'run.started')!.time);
    done.forEach((t, i) => stepMs.push(t - (i ? done[i - 1]! : started)));
    for (const [key, ms] of phaseTimes(events)) (phases[key] ??= []).push(ms);
  }
  const directP50 = quantile(direct, 0.5);
  console.log(
    JSON.stringify({
      bench: 'step-overhead',
      steps: STEPS,
      runs: RUNS,
      directCallMs: { p50: directP50, p95: quantile(direct, 0.95) },
      stepMs: { p50: quantile(stepMs, 0.5), p95: quantile(stepMs, 0.95) },
      overheadPerStepMs: {
        p50: Math.round((quantile(stepMs, 0.5) - directP50) * 100) / 100,
        p95: Math.round((quantile(stepMs, 0.95) - directP50) * 100) / 100,
      },
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
