// A search's loop under the things that break loops: a stop that lands while a candidate runs and the history
// is full (it must not be left behind by continue-as-new), and a reflection that fails for good (the search goes
// on without it instead of failing with everything it found).
import { ApplicationFailure } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentSpec } from '../../core/specs.js';
import { optimizeWorkflow } from '../../workflows/optimize.js';
import type { OptimizeRunInput } from '../../workflows/optimize-state.js';
import { stopSearch } from '../../workflows/steering.js';
import { fakeActivities, startWorkflowEnv, withWorker } from '../helpers/workflow-env.js';

const spec = componentSpec.parse({ name: 'upper', signature: 'text: str -> result: str', provider: 'fake' });
const input = (runId: string, extra: Partial<OptimizeRunInput> = {}): OptimizeRunInput => ({
  runId,
  component: { id: 'c1', name: 'upper', version: 1, spec },
  train: ['t1', 't2', 't3', 't4', 't5', 't6'],
  dev: ['d1', 'd2'],
  metric: { name: 'exact_match', field: 'result' },
  threshold: 1,
  k: 2,
  optimizer: 'gepa',
  search: {
    seed: 1,
    candidates: 4,
    trials: 6,
    minibatch: 3,
    fullEvalEvery: 5,
    budget: {},
    proposer: { provider: 'fake' },
    held: ['h1'],
  },
  ...extra,
});

/** Every candidate scores 0 everywhere (so each iteration reflects); reflections answer through `reflect`. */
function activities(
  reflect: (stepId: string) => Promise<Record<string, unknown>>,
  scoring: (evalRunId: string) => Promise<void> = async () => {},
) {
  const f = fakeActivities({
    async scoreExample(input: { evalRunId: string }) {
      await scoring(input.evalRunId);
      return { scores: { 'exact_match:result': 0 } };
    },
    async candidateTraces() {
      return { scores: { d1: 0, d2: 0 }, traces: 'inputs: {}\nanswer: {}\nscore: 0\nfeedback: wrong' };
    },
  } as never);
  const predict = f.acts.predict!;
  f.acts.predict = async (i) =>
    i.stepId.startsWith('reflect')
      ? { outputs: await reflect(i.stepId), usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0, latencyMs: 1 }
      : predict(i);
  return f;
}

describe('a search loop', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('a stop sent while a candidate runs ends the search after it, though the history is full', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reached = false;
    const f = activities(async (stepId) => {
      if (stepId === 'reflect[1]') {
        reached = true;
        await gate;
      }
      return { new_instruction: `new ${stepId}` };
    });
    await withWorker(env, f.acts, async (taskQueue) => {
      // 30 events: every iteration would continue as new.
      const h = await env.client.workflow.start(optimizeWorkflow, {
        taskQueue,
        workflowId: `search-stop-${Date.now()}`,
        args: [input('run_stop', { continueAfterEvents: 30 })],
      });
      for (const deadline = Date.now() + 30_000; !reached; await new Promise((r) => setTimeout(r, 50)))
        if (Date.now() > deadline) throw new Error('reflect[1] never ran');
      await h.executeUpdate(stopSearch, { args: [{ reason: 'enough' }] });
      release();
      const out = await h.result();
      expect(out.iterations).toBe(1);
    });
  });

  it('a reflection that fails for good skips its iteration; the search goes on and completes', async () => {
    const f = activities(async (stepId) => {
      if (stepId === 'reflect[2]')
        throw ApplicationFailure.nonRetryable('no new_instruction field', 'OutputParseError');
      return { new_instruction: `new ${stepId}` };
    });
    await withWorker(env, f.acts, async (taskQueue) => {
      const h = await env.client.workflow.start(optimizeWorkflow, {
        taskQueue,
        workflowId: `search-reflect-fails-${Date.now()}`,
        args: [input('run_reflect_fails', { search: { ...input('x').search!, trials: 3 } })],
      });
      const out = await h.result();
      expect(out.iterations).toBe(3);
      const events = f.recordOf('run_reflect_fails').events;
      const steps = events.flatMap((e) =>
        e.type === 'step.completed' || e.type === 'step.failed'
          ? [{ type: e.type, ...(e.data as { stepId: string; outputs?: { skipped?: string } }) }]
          : [],
      );
      const trials = steps
        .filter((e) => e.type === 'step.completed' && e.stepId.startsWith('trial:'))
        .map((e) => [e.stepId, e.outputs?.skipped ?? 'tried']);
      expect(trials).toEqual([
        ['trial:1', 'tried'],
        ['trial:2', 'the reflection failed'],
        ['trial:3', 'tried'],
      ]);
      expect(steps.some((e) => e.type === 'step.failed' && e.stepId === 'reflect[2]')).toBe(true);
    });
  });

  it('a stop once the loop is over is refused, saying the search is taking its verdict', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let judging = false;
    const f = activities(
      async (stepId) => ({ new_instruction: `new ${stepId}` }),
      async (evalRunId) => {
        if (!evalRunId.endsWith('-held-base')) return;
        judging = true;
        await gate;
      },
    );
    await withWorker(env, f.acts, async (taskQueue) => {
      const h = await env.client.workflow.start(optimizeWorkflow, {
        taskQueue,
        workflowId: `search-stop-late-${Date.now()}`,
        args: [input('run_stop_late', { search: { ...input('x').search!, trials: 1 } })],
      });
      for (const deadline = Date.now() + 30_000; !judging; await new Promise((r) => setTimeout(r, 50)))
        if (Date.now() > deadline) throw new Error('the held-out eval never ran');
      const refused = await h.executeUpdate(stopSearch, { args: [{}] }).then(
        () => 'accepted',
        (err: Error & { cause?: Error }) => err.cause?.message ?? err.message,
      );
      release();
      expect(refused).toBe('the search is over: it is judging its best candidate on the held-out split');
      expect((await h.result()).iterations).toBe(1);
    });
  });
});
