// BootstrapFewShot as DSPy defines it: the teacher (the component itself) runs the train split;
// traces that pass the metric become demos, up to k; the candidate is scored on dev and saved as a new
// version only when it beats the current one there.
// A long teacher pass continues as new, carrying the before score, its position and the demos so far.
// MIPROv2 and GEPA (workflows/mipro.ts, gepa.ts) run under the same workflow, chosen by the input's `optimizer`.
import {
  continueAsNew,
  executeChild,
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { metricKey } from '../core/metrics.js';
import { componentPlan } from '../core/pipeline-plan.js';
import { runNote } from '../core/run-story/events.js';
import { trialEvalRunId, versionRef, type TrialLabel } from '../core/run-story/ids.js';
import type { ComponentSpec } from '../core/specs.js';
import { evalWorkflow, lookupOptions, scoringOptions, type EvalRunInput, type EvalSummary } from './eval.js';
import { historyFull } from './history-budget.js';
import { runLifecycle } from './lifecycle.js';
import { listenForApprovals } from './approvals.js';
import { gepa } from './gepa.js';
import { listenForStop } from './steering.js';
import { mipro } from './mipro.js';
import { provenanceOf, searchCalls, type Search } from './optimize-search.js';
import type { Demo, Optimization, OptimizeRunInput, Score } from './optimize-state.js';
import { teacherOf, teachOne } from './optimize-teacher.js';
import { record } from './run-events.js';

/** An eval's score under the run's metric, with its interval. */
const score = (input: OptimizeRunInput, s: EvalSummary): Score => {
  const agg = s.aggregates[metricKey(input.metric)];
  return { mean: agg?.mean ?? 0, ci95: agg?.ci95 ?? [0, 0] };
};

async function optimize(input: OptimizeRunInput): Promise<Record<string, unknown>> {
  const { runId, component } = input;
  const o: Optimization = {
    input,
    teacher: teacherOf(input),
    scoring: proxyActivities<Activities>(scoringOptions(input.heartbeatTimeoutMs)),
    saving: proxyActivities<Activities>({
      startToCloseTimeout: '1 minute',
      retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['ConfigError'] },
    }),
    lookup: proxyLocalActivities<Activities>(lookupOptions),
  };
  if (input.optimizer === 'mipro' || input.optimizer === 'gepa') {
    const approvals = listenForApprovals();
    const s: Search = {
      ...o,
      options: input.search!,
      spent: { costUsd: 0, tokens: 0, candidates: 0, extended: 0 },
      approvals,
      stop: listenForStop(),
      calls: searchCalls(input.heartbeatTimeoutMs),
    };
    return input.optimizer === 'mipro' ? mipro(s) : gepa(s);
  }
  // Optimizations under way before teacher segments replay as they ran: in one history.
  const segmented = input.resume !== undefined || patched('optimize-teacher-segments');
  const before = input.resume?.before ?? (await evaluate(o, 'before', component.version, component.spec));
  if (!input.resume)
    await record(runId, [
      runNote('before', 'info', `before: ${score(input, before).mean.toFixed(3)} on ${input.dev.length} dev examples`),
    ]);
  const demos = await teach(o, before, segmented);

  const spec: ComponentSpec = { ...component.spec, demos: [...(component.spec.demos ?? []), ...demos] };
  // Keyed by the run: a retried attempt whose completion was lost finds its version instead of adding one.
  const save = (scores?: { before: Score; after: Score }) =>
    o.saving.saveComponentVersion({
      name: component.name,
      spec,
      idempotencyKey: `${workflowInfo().workflowId}:optimized`,
      ...(scores ? { provenance: provenanceOf(input, 'dev', scores) } : {}),
    });
  // A version is saved only when it beats the current one on dev; runs from before this saved first, and replay so.
  if (patched('optimize-save-if-better'))
    return saveIfBetter(input, {
      before: score(input, before),
      demos: demos.length,
      candidate: () => evaluate(o, 'candidate', component.version, spec).then((s) => score(input, s)),
      save,
    });
  const { version } = await save();
  const after = await evaluate(o, 'after', version, spec);
  const outputs = {
    version,
    demos: demos.length,
    before: score(input, before).mean,
    after: score(input, after).mean,
    metric: metricKey(input.metric),
  };
  return outputs;
}

/** Scores `version` of the component (with `spec`) on the dev split, in a child eval run named by `label`. */
async function evaluate(
  { input, lookup }: Optimization,
  label: TrialLabel,
  version: number,
  spec: ComponentSpec,
): Promise<EvalSummary> {
  const { runId, component } = input;
  const childRunId = trialEvalRunId(runId, label);
  const target = { type: 'component' as const, id: component.id, name: component.name, version };
  await lookup.prepareChildRun({
    childRunId,
    kind: 'eval',
    target,
    inputs: { split: 'dev', label },
    parent: `optimize:${runId}`,
  });
  const args: EvalRunInput = {
    runId: childRunId,
    target,
    plan: componentPlan(component.name, version, spec),
    examples: { exampleIds: input.dev },
    exampleCount: input.dev.length,
    metrics: [input.metric],
    concurrency: 4,
    heartbeatTimeoutMs: input.heartbeatTimeoutMs,
    ...(input.cache ? { cache: input.cache } : {}),
  };
  return executeChild(evalWorkflow, { workflowId: childRunId, args: [args] });
}

/** The teacher pass: every candidate and its score is recorded; passing traces become demos, up to k. A long pass continues as new. */
async function teach(o: Optimization, before: EvalSummary, segmented: boolean): Promise<Demo[]> {
  const { input } = o;
  const demos: Demo[] = [...(input.resume?.demos ?? [])];
  for (let i = input.resume?.next ?? 0; i < input.train.length; i++) {
    if (demos.length >= input.k) break;
    if (segmented && historyFull(input.continueAfterEvents))
      return continueAsNew<typeof optimizeWorkflow>({ ...input, resume: { before, next: i, demos } });
    await teachOne(o, o.teacher, input.train[i]!, demos);
  }
  return demos;
}

/** Score the candidate on dev (no demos found: it is the current version) and save it only when it scores higher; say which. */
async function saveIfBetter(
  input: OptimizeRunInput,
  o: {
    before: Score;
    demos: number;
    candidate: () => Promise<Score>;
    save: (scores: { before: Score; after: Score }) => Promise<{ version: number }>;
  },
): Promise<Record<string, unknown>> {
  const { runId, component } = input;
  const after = o.demos ? await o.candidate() : o.before;
  const scores = `${o.before.mean.toFixed(3)} → ${after.mean.toFixed(3)} on ${input.dev.length} dev examples`;
  const common = { demos: o.demos, before: o.before.mean, after: after.mean, metric: metricKey(input.metric) };
  if (after.mean <= o.before.mean) {
    const kept = versionRef(component.name, component.version);
    const why = o.demos ? '' : '; no train trace passed the metric';
    await record(runId, [runNote('kept', 'warn', `no improvement: kept ${kept} (${scores}${why})`)]);
    return { version: component.version, saved: false, kept, ...common };
  }
  const { version } = await o.save({ before: o.before, after });
  await record(runId, [runNote('saved', 'info', `saved ${versionRef(component.name, version)} (${scores})`)]);
  return { version, saved: true, ...common };
}

export async function optimizeWorkflow(input: OptimizeRunInput): Promise<Record<string, unknown>> {
  const { component } = input;
  const header = {
    runId: input.runId,
    kind: 'optimize',
    target: { type: 'component', name: component.name, version: component.version },
    inputs: {
      k: input.k,
      train: input.train.length,
      dev: input.dev.length,
      ...(input.optimizer ? { optimizer: input.optimizer } : {}),
    },
    continued: input.resume !== undefined || input.state !== undefined,
  };
  return runLifecycle(header, () => optimize(input));
}

export type { OptimizeRunInput } from './optimize-state.js';
