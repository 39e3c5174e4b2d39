// BootstrapFewShot as DSPy defines it: the teacher (the component itself) runs the train split;
// traces that pass the metric become demos, up to k; the candidate is scored on dev and saved as a new
// version only when it beats the current one there.
// A long teacher pass continues as new, carrying the before score, its position and the demos so far.
import {
  continueAsNew,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
  type ActivityInterfaceFor,
  type LocalActivityInterfaceFor,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { metricKey, type MetricSpec } from '../core/metrics.js';
import { componentPlan } from '../core/pipeline-plan.js';
import { candidateCompleted, runNote } from '../core/run-story/events.js';
import { teacherRunId, trialEvalRunId, versionRef, type TrialLabel } from '../core/run-story/ids.js';
import type { ComponentSpec } from '../core/specs.js';
import { componentWorkflow } from './component.js';
import { evalWorkflow, lookupOptions, scoringOptions, type EvalRunInput, type EvalSummary } from './eval.js';
import { historyFull } from './history-budget.js';
import { runLifecycle } from './lifecycle.js';
import type { PipelineRunInput } from './pipeline.js';
import { record } from './run-events.js';

export interface OptimizeRunInput {
  runId: string;
  component: { id: string; name: string; version: number; spec: ComponentSpec };
  /** Example ids of the train and dev splits (loaded one at a time). */
  train: string[];
  dev: string[];
  metric: MetricSpec;
  /** A trace passes when its score reaches this (1 = exactly right). */
  threshold: number;
  k: number;
  heartbeatTimeoutMs?: number;
  /** The step cache for the teacher's and the evals' runs. */
  cache?: 'reuse' | 'off';
  /** Continue as new past this many history events. */
  continueAfterEvents?: number;
  /** Set on a continued execution: where the teacher pass stands. */
  resume?: { before: EvalSummary; next: number; demos: Demo[] };
}

type Demo = { inputs: Record<string, unknown>; outputs: Record<string, unknown>; augmented?: true };

/** What the optimization's steps share: its input and the activities they call. */
interface Optimization {
  input: OptimizeRunInput;
  scoring: ActivityInterfaceFor<Activities>;
  saving: ActivityInterfaceFor<Activities>;
  lookup: LocalActivityInterfaceFor<Activities>;
}

/** The component as the teacher runs it: its current version, plan and target. */
interface Teacher {
  plan: ReturnType<typeof componentPlan>;
  target: { type: 'component'; id: string; name: string; version: number };
}

const mean = (input: OptimizeRunInput, s: EvalSummary) => s.aggregates[metricKey(input.metric)]?.mean ?? 0;

async function optimize(input: OptimizeRunInput): Promise<Record<string, unknown>> {
  const { runId, component } = input;
  const o: Optimization = {
    input,
    scoring: proxyActivities<Activities>(scoringOptions(input.heartbeatTimeoutMs)),
    saving: proxyActivities<Activities>({
      startToCloseTimeout: '1 minute',
      retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['ConfigError'] },
    }),
    lookup: proxyLocalActivities<Activities>(lookupOptions),
  };
  // Optimizations under way before teacher segments replay as they ran: in one history.
  const segmented = input.resume !== undefined || patched('optimize-teacher-segments');
  const before = input.resume?.before ?? (await evaluate(o, 'before', component.version, component.spec));
  if (!input.resume)
    await record(runId, [
      runNote('before', 'info', `before: ${mean(input, before).toFixed(3)} on ${input.dev.length} dev examples`),
    ]);
  const demos = await teach(o, before, segmented);

  const spec: ComponentSpec = { ...component.spec, demos: [...(component.spec.demos ?? []), ...demos] };
  // Keyed by the run: a retried attempt whose completion was lost finds its version instead of adding one.
  const save = () =>
    o.saving.saveComponentVersion({
      name: component.name,
      spec,
      idempotencyKey: `${workflowInfo().workflowId}:optimized`,
    });
  // A version is saved only when it beats the current one on dev; runs from before this saved first, and replay so.
  if (patched('optimize-save-if-better'))
    return saveIfBetter(input, {
      before: mean(input, before),
      demos: demos.length,
      candidate: () => evaluate(o, 'candidate', component.version, spec).then((s) => mean(input, s)),
      save,
    });
  const { version } = await save();
  const after = await evaluate(o, 'after', version, spec);
  const outputs = {
    version,
    demos: demos.length,
    before: mean(input, before),
    after: mean(input, after),
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
  const { component } = input;
  const demos: Demo[] = [...(input.resume?.demos ?? [])];
  const teacher: Teacher = {
    plan: componentPlan(component.name, component.version, component.spec),
    target: { type: 'component', id: component.id, name: component.name, version: component.version },
  };
  for (let i = input.resume?.next ?? 0; i < input.train.length; i++) {
    if (demos.length >= input.k) break;
    if (segmented && historyFull(input.continueAfterEvents))
      return continueAsNew<typeof optimizeWorkflow>({ ...input, resume: { before, next: i, demos } });
    await teachOne(o, teacher, input.train[i]!, demos);
  }
  return demos;
}

/** Runs the teacher on one train example and scores its trace; a passing one joins `demos`. */
async function teachOne(o: Optimization, teacher: Teacher, exampleId: string, demos: Demo[]): Promise<void> {
  const { input } = o;
  const { runId } = input;
  const ex = await o.lookup.loadExample({ exampleId });
  const childRunId = teacherRunId(runId, ex.id);
  await o.lookup.prepareChildRun({
    childRunId,
    kind: 'component',
    target: teacher.target,
    inputs: ex.inputs,
    parent: `optimize:${runId}`,
  });
  const outputs = await runTeacher(input, teacher, childRunId, ex.inputs);
  const { scores } = await o.scoring.scoreExample({
    evalRunId: runId,
    exampleId: ex.id,
    childRunId,
    outputs,
    expected: ex.expected,
    metrics: [input.metric],
    error: outputs ? null : 'teacher run failed',
  });
  const score = scores[metricKey(input.metric)] ?? 0;
  const accepted = outputs !== null && score >= input.threshold;
  // Bootstrapped, as DSPy marks such demos; new runs only, so recorded histories replay as they were.
  if (accepted)
    demos.push({
      inputs: ex.inputs,
      outputs: outputs!,
      ...(patched('optimize-augmented-demos') ? { augmented: true as const } : {}),
    });
  await record(runId, [candidateCompleted(ex.id, { outputs: { score, accepted, demos: demos.length } as never })]);
}

/** The teacher's outputs for one example, or null when its run failed (a cancellation still ends the optimization). */
async function runTeacher(
  input: OptimizeRunInput,
  teacher: Teacher,
  childRunId: string,
  inputs: Record<string, unknown>,
): Promise<Record<string, unknown> | null> {
  try {
    const args: PipelineRunInput = {
      runId: childRunId,
      kind: 'component',
      target: teacher.target,
      plan: teacher.plan,
      inputs,
      heartbeatTimeoutMs: input.heartbeatTimeoutMs,
      ...(input.cache ? { cache: input.cache } : {}),
    };
    return await executeChild(componentWorkflow, { workflowId: childRunId, args: [args] });
  } catch (err) {
    if (isCancellation(err)) throw err;
    return null;
  }
}

/** Score the candidate on dev (no demos found: it is the current version) and save it only when it scores higher; say which. */
async function saveIfBetter(
  input: OptimizeRunInput,
  o: { before: number; demos: number; candidate: () => Promise<number>; save: () => Promise<{ version: number }> },
): Promise<Record<string, unknown>> {
  const { runId, component } = input;
  const after = o.demos ? await o.candidate() : o.before;
  const scores = `${o.before.toFixed(3)} → ${after.toFixed(3)} on ${input.dev.length} dev examples`;
  const common = { demos: o.demos, before: o.before, after, metric: metricKey(input.metric) };
  if (after <= o.before) {
    const kept = versionRef(component.name, component.version);
    const why = o.demos ? '' : '; no train trace passed the metric';
    await record(runId, [runNote('kept', 'warn', `no improvement: kept ${kept} (${scores}${why})`)]);
    return { version: component.version, saved: false, kept, ...common };
  }
  const { version } = await o.save();
  await record(runId, [runNote('saved', 'info', `saved ${versionRef(component.name, version)} (${scores})`)]);
  return { version, saved: true, ...common };
}

export async function optimizeWorkflow(input: OptimizeRunInput): Promise<Record<string, unknown>> {
  const { component } = input;
  const header = {
    runId: input.runId,
    kind: 'optimize',
    target: { type: 'component', name: component.name, version: component.version },
    inputs: { k: input.k, train: input.train.length, dev: input.dev.length },
    continued: input.resume !== undefined,
  };
  return runLifecycle(header, () => optimize(input));
}
