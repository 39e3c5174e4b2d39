// The teacher pass's one step, shared by BootstrapFewShot and MIPROv2's demo sets: the component runs one train
// example in a child run, its trace is scored, and a passing one becomes a demo.
import { executeChild, isCancellation, patched } from '@temporalio/workflow';
import { metricKey } from '../core/metrics.js';
import { componentPlan } from '../core/pipeline-plan.js';
import { candidateCompleted } from '../core/run-story/events.js';
import { teacherRunId } from '../core/run-story/ids.js';
import { componentWorkflow } from './component.js';
import type { Demo, Optimization, OptimizeRunInput, Teacher } from './optimize-state.js';
import type { PipelineRunInput } from './pipeline.js';
import { record } from './run-events.js';

/** The teacher: the component's current version as it runs. */
export const teacherOf = ({ component }: OptimizeRunInput): Teacher => ({
  plan: componentPlan(component.name, component.version, component.spec),
  target: { type: 'component', id: component.id, name: component.name, version: component.version },
});

/** Runs the teacher on one train example and scores its trace; a passing one joins `demos`. */
export async function teachOne(o: Optimization, teacher: Teacher, exampleId: string, demos: Demo[]): Promise<void> {
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
