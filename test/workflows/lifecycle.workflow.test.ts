// Every workflow kind, failed and cancelled: the run ends at once with the matching final event and
// status, written by the workflow itself (no reconciler), and nothing is recorded after it.
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { componentPlan } from '../../core/pipeline-plan.js';
import { componentSpec } from '../../core/specs.js';
import { agentWorkflow } from '../../workflows/agent.js';
import { approve, pendingApprovals } from '../../workflows/approvals.js';
import { chatWorkflow, closeChat, sendMessage } from '../../workflows/chat.js';
import { componentWorkflow } from '../../workflows/component.js';
import { evalWorkflow } from '../../workflows/eval.js';
import { optimizeWorkflow } from '../../workflows/optimize.js';
import { pipelineWorkflow } from '../../workflows/pipeline.js';
import { until } from '../helpers/processes.js';
import {
  blockUntilCancelled,
  candidateBeatsBefore,
  fakeActivities,
  startWorkflowEnv,
  withWorker,
  type FakeActivities,
  type RunRecord,
} from '../helpers/workflow-env.js';

const upper = componentSpec.parse({ name: 'upper', signature: 'text: str -> result: str', provider: 'fake' });
const agent = componentSpec.parse({
  name: 'helper',
  kind: 'react',
  signature: 'task: str -> answer: str',
  provider: 'fake',
  tools: ['filesystem'],
  maxSteps: 3,
});
const target = { type: 'component' as const, id: 'cmp_1', name: 'upper', version: 1 };
const plan = componentPlan('upper', 1, upper);
const metric = { name: 'exact_match' as const, field: 'result' };

/** How to start one run of each kind, given its run id and task queue. */
type Starter = (env: TestWorkflowEnvironment, runId: string, taskQueue: string) => Promise<WorkflowHandle>;
/** The activity to block, by name: it blocks (heartbeating) until cancelled. */
type Blocking = 'predict' | 'agentStep' | 'chatTurn';
const kinds: Record<string, { start: Starter; failing: FakeActivities; blocking: Blocking }> = {
  pipeline: {
    start: (env, runId, taskQueue) =>
      env.client.workflow.start(pipelineWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [
          {
            runId,
            kind: 'pipeline',
            target: { type: 'pipeline', name: 'p', version: 1 },
            plan,
            inputs: { text: 'hi' },
            heartbeatTimeoutMs: 2000,
          },
        ],
      }),
    failing: {
      predict: async () => {
        throw ApplicationFailure.nonRetryable('the model refused', 'ProviderRejected');
      },
    },
    blocking: 'predict',
  },
  component: {
    start: (env, runId, taskQueue) =>
      env.client.workflow.start(componentWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [{ runId, kind: 'component', target, plan, inputs: { text: 'hi' }, heartbeatTimeoutMs: 2000 }],
      }),
    failing: {
      predict: async () => {
        throw ApplicationFailure.nonRetryable('the model refused', 'ProviderRejected');
      },
    },
    blocking: 'predict',
  },
  agent: {
    start: (env, runId, taskQueue) =>
      env.client.workflow.start(agentWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [
          {
            runId,
            component: agent,
            target: { type: 'component', name: 'helper', version: 1 },
            inputs: { task: 't' },
            heartbeatTimeoutMs: 2000,
          },
        ],
      }),
    failing: {
      agentStep: async () => {
        throw ApplicationFailure.nonRetryable('the model refused', 'ProviderRejected');
      },
    },
    blocking: 'agentStep',
  },
  chat: {
    start: async (env, runId, taskQueue) => {
      const h = await env.client.workflow.start(chatWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [
          {
            chatId: 'chat_1',
            runId,
            target: { provider: 'fake' },
            transcript: [],
            turnsPerRun: 20,
            heartbeatTimeoutMs: 2000,
          },
        ],
      });
      // The turn itself fails or blocks; the run is what the test watches.
      void h
        .executeUpdate(sendMessage, { args: [{ messageId: 'm1', content: 'hello' }], updateId: 'm1' })
        .catch(() => undefined);
      return h;
    },
    failing: {
      chatTurn: async () => {
        throw ApplicationFailure.nonRetryable("provider 'fake' cannot be used: it does not exist", 'ConfigError');
      },
    },
    blocking: 'chatTurn',
  },
  eval: {
    start: (env, runId, taskQueue) =>
      env.client.workflow.start(evalWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [
          {
            runId,
            target,
            plan,
            examples: { exampleIds: ['ex1', 'ex2'] },
            metrics: [metric],
            concurrency: 1,
            heartbeatTimeoutMs: 2000,
          },
        ],
      }),
    failing: {
      loadEvalExample: async ({ position }) => {
        throw ApplicationFailure.nonRetryable(`example at ${position} no longer exists`, 'NotFound');
      },
    },
    blocking: 'predict',
  },
  optimize: {
    start: (env, runId, taskQueue) =>
      env.client.workflow.start(optimizeWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [
          {
            runId,
            component: { id: 'cmp_1', name: 'upper', version: 1, spec: upper },
            train: ['t1'],
            dev: ['d1'],
            metric,
            threshold: 1,
            k: 1,
            heartbeatTimeoutMs: 2000,
          },
        ],
      }),
    // The candidate beats the current version, so the save is reached and refused.
    failing: {
      ...candidateBeatsBefore,
      saveComponentVersion: async () => {
        throw ApplicationFailure.nonRetryable('the store refused the version', 'ConfigError');
      },
    },
    blocking: 'predict',
  },
};

const finals = ['run.completed', 'run.failed', 'run.cancelled'];

/** The run's story has one start, one final event, and the final one is last. */
function expectEnded(r: RunRecord | undefined, final: string, status: string) {
  expect(r, 'the run recorded nothing').toBeDefined();
  const types = r!.events.map((e) => e.type);
  expect(types[0]).toBe('run.started');
  expect(types.filter((t) => finals.includes(t))).toEqual([final]);
  expect(types.at(-1)).toBe(final);
  expect(r!.statuses.at(-1)).toBe(status);
}

describe('the run lifecycle, per workflow kind', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(() => env?.teardown());

  describe.each(Object.keys(kinds))('%s', (kind) => {
    const k = kinds[kind]!;

    it('fails: run.failed with the reason, status failed', async () => {
      const { acts, runs } = fakeActivities(k.failing);
      const runId = `run_fail_${kind}`;
      await withWorker(env, acts, async (tq) => {
        const h = await k.start(env, runId, tq);
        await expect(h.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      });
      expectEnded(runs.get(runId), 'run.failed', 'failed');
      const failed = runs.get(runId)!.events.at(-1)!;
      expect((failed.data as { error: string }).error).toMatch(/refused|no longer exists|cannot be used/);
    });

    it('cancels: run.cancelled, status cancelled, even with an activity in flight', async () => {
      let reached = false;
      const { acts, runs } = fakeActivities({ [k.blocking]: () => ((reached = true), blockUntilCancelled()) });
      const runId = `run_cancel_${kind}`;
      await withWorker(env, acts, async (tq) => {
        const h = await k.start(env, runId, tq);
        // Cancel once the blocking activity is in flight (for eval and optimize: in a child run).
        await until(() => reached, `the ${k.blocking} activity of the ${kind} run to start`);
        await h.cancel();
        await expect(h.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      });
      expectEnded(runs.get(runId), 'run.cancelled', 'cancelled');
    });
  });

  it('an eval example that fails carries the child run\'s own reason, not "Child Workflow execution failed"', async () => {
    const scored: Array<string | null> = [];
    const { acts, runs } = fakeActivities({
      predict: async () => {
        throw ApplicationFailure.nonRetryable(
          "provider 'fake' (openai at http://127.0.0.1:9, model m): Connection error.",
          'ProviderRejected',
        );
      },
      scoreExample: async (input) => (scored.push(input.error), { scores: { 'exact_match:result': 0 } }),
    });
    const runId = 'run_eval_reason';
    const summary = await withWorker(env, acts, (tq) => kinds.eval!.start(env, runId, tq).then((h) => h.result()));
    expect(summary).toMatchObject({ examples: 2, errors: 2 });
    expect(scored).toEqual([expect.stringContaining('Connection error'), expect.stringContaining('Connection error')]);
    expect(scored[0]).toContain("step 'upper' failed");
    expectEnded(runs.get(runId), 'run.completed', 'completed');
    expectEnded(runs.get(`${runId}-ex1`), 'run.failed', 'failed');
  });

  describe('agent limits', () => {
    const agentRun = (overrides: FakeActivities, component = agent) => {
      const { acts, runs } = fakeActivities(overrides);
      const runId = `run_agent_${Math.random().toString(36).slice(2)}`;
      return {
        acts,
        runs,
        runId,
        start: (tq: string) =>
          env.client.workflow.start(agentWorkflow, {
            taskQueue: tq,
            workflowId: runId,
            args: [
              { runId, component, target: { type: 'component', name: 'helper', version: 1 }, inputs: { task: 't' } },
            ],
          }),
      };
    };
    const readNotes = async () => ({
      action: { thought: 'look', tool: 'filesystem', args: { op: 'read', path: 'notes.txt' } },
      usage: { inputTokens: 10, outputTokens: 10 },
      costUsd: 0.5,
    });

    it('maxSteps: the last step may only finish; a run that still does not fails, naming the limit', async () => {
      const finishOnly: boolean[] = [];
      const a = agentRun({ agentStep: async (input) => (finishOnly.push(input.finishOnly === true), readNotes()) });
      await withWorker(env, a.acts, async (tq) => expect((await a.start(tq)).result()).rejects.toThrow());
      expectEnded(a.runs.get(a.runId), 'run.failed', 'failed');
      expect(a.runs.get(a.runId)!.events.at(-1)!.data).toMatchObject({
        error: 'the agent used its 3 steps without finishing',
        type: 'MaxStepsReached',
      });
      expect(finishOnly).toEqual([false, false, true]);
      // The answer to the finish-only step is not applied: two tool calls, not three.
      expect(a.runs.get(a.runId)!.events.filter((e) => e.type === 'tool.call')).toHaveLength(2);
    });

    it('maxCostUsd: crossing the budget fails the run with budget.exceeded before the tool runs', async () => {
      let tools = 0;
      const a = agentRun(
        { agentStep: readNotes, runTool: async () => (tools++, { ok: true, output: 'x', truncated: false }) },
        { ...agent, budget: { maxCostUsd: 0.2, onExceed: 'fail' } },
      );
      await withWorker(env, a.acts, async (tq) => expect((await a.start(tq)).result()).rejects.toThrow());
      const r = a.runs.get(a.runId)!;
      expectEnded(r, 'run.failed', 'failed');
      expect(r.events.map((e) => e.type)).toContain('budget.exceeded');
      expect(r.events.at(-1)!.data).toMatchObject({ type: 'BudgetExceeded' });
      expect(tools).toBe(0);
    });

    it('budget ask: the run waits for a person, and goes on when they extend it', async () => {
      let step = 0;
      const a = agentRun(
        {
          agentStep: async () =>
            step++ === 0
              ? readNotes()
              : {
                  action: { thought: 'done', finish: { answer: 'fine' } },
                  usage: { inputTokens: 1, outputTokens: 1 },
                  costUsd: 0,
                },
        },
        { ...agent, budget: { maxCostUsd: 0.2, onExceed: 'ask' } },
      );
      const result = await withWorker(env, a.acts, async (tq) => {
        const h = await a.start(tq);
        await until(
          async () => (await h.query(pendingApprovals)).some((p) => p.kind === 'budget'),
          'the budget approval',
        );
        expect(a.runs.get(a.runId)!.statuses.at(-1)).toBe('waiting_approval');
        await h.executeUpdate(approve, { args: [{ approvalId: 'budget-0', decision: 'approve' }] });
        return h.result();
      });
      expect(result).toEqual({ answer: 'fine' });
      expectEnded(a.runs.get(a.runId), 'run.completed', 'completed');
    });
  });

  it('chat close: the turns so far are the outputs, and no message is taken after', async () => {
    const { acts, runs } = fakeActivities();
    const runId = 'run_chat_close';
    const outputs = await withWorker(env, acts, async (tq) => {
      const h = await kinds.chat!.start(env, runId, tq);
      await until(() => (runs.get(runId)?.events ?? []).length > 0, 'the chat to start');
      const two = await h.executeUpdate(sendMessage, { args: [{ messageId: 'm2', content: 'again' }], updateId: 'm2' });
      expect(two.content).toBe('echo again');
      await h.signal(closeChat);
      const result = await h.result();
      await expect(h.executeUpdate(sendMessage, { args: [{ messageId: 'm3', content: 'late' }] })).rejects.toThrow();
      return result;
    });
    expect(outputs).toEqual({ turns: 2 });
    expectEnded(runs.get(runId), 'run.completed', 'completed');
  });
});
