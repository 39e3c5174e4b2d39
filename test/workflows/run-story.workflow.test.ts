// How a pipeline writes its story: the run's start and each step's completion ride with the write
// that follows them (the next step's start, the run's end), in order, with no local activity of their own.
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../../activities/index.js';
import { planPipeline, type ResolvedComponent } from '../../core/pipeline-plan.js';
import type { PipelineSpec } from '../../core/specs.js';
import { pipelineWorkflow } from '../../workflows/pipeline.js';
import { latches } from '../helpers/latch.js';
import { fakeActivities, startWorkflowEnv, withWorker } from '../helpers/workflow-env.js';

const upper: ResolvedComponent = {
  ref: 'upper',
  version: 1,
  spec: { name: 'upper', kind: 'predict', adapter: 'auto', signature: 'text: str -> result: str', provider: 'fake' },
};
const pair: ResolvedComponent = {
  ref: 'pair',
  version: 1,
  spec: {
    name: 'pair',
    kind: 'predict',
    adapter: 'auto',
    signature: 'a: str, b: str -> result: str',
    provider: 'fake',
  },
};
const components = new Map([
  ['upper', upper],
  ['pair', pair],
]);
const plan = (spec: PipelineSpec) => planPipeline(spec, (r) => components.get(r));
const chain = plan({
  name: 'chain',
  inputs: { text: 'str' },
  steps: [
    { id: 'one', component: 'upper', inputs: { text: '$inputs.text' } },
    { id: 'two', component: 'upper', inputs: { text: '$steps.one.outputs.result' } },
    { id: 'three', component: 'upper', inputs: { text: '$steps.two.outputs.result' } },
  ],
  outputs: { result: '$steps.three.outputs.result' },
});
const diamond = plan({
  name: 'diamond',
  inputs: { text: 'str' },
  steps: [
    { id: 'left', component: 'upper', inputs: { text: '$inputs.text' } },
    { id: 'right', component: 'upper', inputs: { text: '$inputs.text' } },
    { id: 'both', component: 'pair', inputs: { a: '$steps.left.outputs.result', b: '$steps.right.outputs.result' } },
  ],
  outputs: { result: '$steps.both.outputs.result' },
});
// A root whose completion makes two steps ready at once; and two chains side by side.
const fanOut = plan({
  name: 'fan-out',
  inputs: { text: 'str' },
  steps: [
    { id: 'root', component: 'upper', inputs: { text: '$inputs.text' } },
    { id: 'a', component: 'upper', inputs: { text: '$steps.root.outputs.result' } },
    { id: 'b', component: 'upper', inputs: { text: '$steps.root.outputs.result' } },
  ],
  outputs: { a: '$steps.a.outputs.result', b: '$steps.b.outputs.result' },
});
const twoChains = plan({
  name: 'two-chains',
  inputs: { text: 'str' },
  steps: [
    { id: 'x', component: 'upper', inputs: { text: '$inputs.text' } },
    { id: 'y', component: 'upper', inputs: { text: '$steps.x.outputs.result' } },
    { id: 'z', component: 'upper', inputs: { text: '$inputs.text' } },
    { id: 'w', component: 'upper', inputs: { text: '$steps.z.outputs.result' } },
  ],
  outputs: { y: '$steps.y.outputs.result', w: '$steps.w.outputs.result' },
});
const target = { type: 'pipeline' as const, name: 'p', version: 1 };

/** Every step starts after each step it depends on completed, and the run starts first. */
function expectCausalOrder(keys: string[], deps: Record<string, string[]>) {
  expect(keys[0]).toBe('run.started');
  for (const [step, on] of Object.entries(deps))
    for (const d of on)
      expect(keys.indexOf(`step:${step}:started`), `${step} after ${d}`).toBeGreaterThan(
        keys.indexOf(`step:${d}:completed`),
      );
}

type Predict = Activities['predict'];

/**
 * The fakes, counting the workflow's own writes (its local activities); `before` runs ahead of each predict.
 * A test orders sibling steps by waiting in `before` on `predicted(stepId)` (that step's call wrote and answered)
 * or `written(key)` (the workflow wrote that event itself), never on time.
 */
function counted(before: (input: Parameters<Predict>[0]) => Promise<unknown> = async () => {}) {
  const fakes = fakeActivities();
  const predict = fakes.acts.predict!;
  const latch = latches();
  /** What each step's call was given to write first. */
  const carriedBy = new Map<string, string[]>();
  fakes.acts.predict = async (input) => {
    carriedBy.set(
      input.stepId,
      (input.carried ?? []).map((e) => e.key),
    );
    await before(input);
    const answer = await predict(input);
    latch(`predicted:${input.stepId}`).open();
    return answer;
  };
  const record = fakes.acts.recordEvents!;
  const writes: string[][] = [];
  fakes.acts.recordEvents = async (input: Parameters<Activities['recordEvents']>[0]) => {
    writes.push(input.events.map((e) => e.key));
    const written = await record(input);
    for (const e of input.events) latch(`written:${e.key}`).open();
    return written;
  };
  const predicted = (stepId: string) => latch(`predicted:${stepId}`).wait();
  const written = (key: string) => latch(`written:${key}`).wait();
  return { ...fakes, writes, carriedBy, predicted, written };
}

describe("a pipeline run's story", () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(() => env?.teardown());

  it('a 3-step chain: every event in order, and one write of its own (the last step with the run end)', async () => {
    const { acts, runs, writes } = counted();
    const runId = 'run_story_chain';
    await withWorker(env, acts, (taskQueue) =>
      env.client.workflow.execute(pipelineWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [{ runId, kind: 'pipeline', target, plan: chain, inputs: { text: 'a' } }],
      }),
    );
    const r = runs.get(runId)!;
    expect(r.events.map((e) => e.key)).toEqual([
      'run.started',
      'step:one:started',
      'step:one:completed',
      'step:two:started',
      'step:two:completed',
      'step:three:started',
      'step:three:completed',
      'run.completed',
    ]);
    expect(r.statuses).toEqual(['running', 'completed']);
    expect(writes).toEqual([['step:three:completed', 'run.completed']]);
    expect(r.events.find((e) => e.key === 'step:two:completed')!.data).toEqual({
      stepId: 'two',
      outputs: { result: 'A' },
    });
  });

  it('a diamond: the run starts on its own (two first steps); a branch that finishes first is written at once; the one that makes the join ready rides with it', async () => {
    // The left branch answers at once; the right one only once the workflow wrote the left's completion.
    const story = counted(
      async (input): Promise<unknown> => input.stepId === 'right' && story.written('step:left:completed'),
    );
    const { acts, runs, writes } = story;
    const runId = 'run_story_diamond';
    await withWorker(env, acts, (taskQueue) =>
      env.client.workflow.execute(pipelineWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [{ runId, kind: 'pipeline', target, plan: diamond, inputs: { text: 'a' } }],
      }),
    );
    expect(writes).toEqual([['run.started'], ['step:left:completed'], ['step:both:completed', 'run.completed']]);
    expect(runs.get(runId)!.statuses).toEqual(['running', 'completed']);
    expectCausalOrder(
      runs.get(runId)!.events.map((e) => e.key),
      { both: ['left', 'right'] },
    );
  });

  it('a completion that makes two steps ready is written before either starts', async () => {
    // One of the two waits until the other wrote and answered, so the other writes first: were the completion
    // carried by either, b's start would come before it, or b would show it carried.
    const story = counted(async (input): Promise<unknown> => input.stepId === 'a' && story.predicted('b'));
    const { acts, runs, writes, carriedBy } = story;
    const runId = 'run_story_fan_out';
    await withWorker(env, acts, (taskQueue) =>
      env.client.workflow.execute(pipelineWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [{ runId, kind: 'pipeline', target, plan: fanOut, inputs: { text: 'a' } }],
      }),
    );
    expect(writes[0]).toEqual(['step:root:completed']);
    expect(carriedBy.get('a')).toEqual([]);
    expect(carriedBy.get('b')).toEqual([]);
    expectCausalOrder(
      runs.get(runId)!.events.map((e) => e.key),
      { a: ['root'], b: ['root'] },
    );
  });

  it("two chains side by side: each completion rides with the start of its own next step, never its neighbour's", async () => {
    // y waits until its neighbour w wrote and answered: the chains' writes interleave, each carrying its own.
    const story = counted(async (input): Promise<unknown> => input.stepId === 'y' && story.predicted('w'));
    const { acts, runs, carriedBy } = story;
    const runId = 'run_story_two_chains';
    await withWorker(env, acts, (taskQueue) =>
      env.client.workflow.execute(pipelineWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [{ runId, kind: 'pipeline', target, plan: twoChains, inputs: { text: 'a' } }],
      }),
    );
    expect(carriedBy.get('y')).toEqual(['step:x:completed']);
    expect(carriedBy.get('w')).toEqual(['step:z:completed']);
    expectCausalOrder(
      runs.get(runId)!.events.map((e) => e.key),
      { y: ['x'], w: ['z'] },
    );
  });

  it('a step that fails before it wrote anything: what it carried is written with its failure, in order', async () => {
    const { acts, runs, writes } = counted(async (input) => {
      if (input.stepId === 'two')
        throw ApplicationFailure.nonRetryable("provider 'fake' cannot be used: it does not exist", 'ConfigError');
    });
    const runId = 'run_story_failed';
    await withWorker(env, acts, async (taskQueue) => {
      const h = await env.client.workflow.start(pipelineWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [{ runId, kind: 'pipeline', target, plan: chain, inputs: { text: 'a' } }],
      });
      await expect(h.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    });
    expect(runs.get(runId)!.events.map((e) => e.type)).toEqual([
      'run.started',
      'step.started',
      'step.completed',
      'step.failed',
      'run.failed',
    ]);
    expect(writes).toEqual([['step:one:completed', 'step:two:failed'], ['run.failed']]);
  });
});
