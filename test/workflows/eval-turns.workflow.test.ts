// An eval's lanes call their local activities one at a time (workflows/in-turn.ts): side by side, they end
// in wall-clock order live and in another order on replay, and a worker that replays the eval after a
// crash then fails it with a nondeterminism error and the eval hangs (seen in the chaos soak under load).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { componentPlan } from '../../core/pipeline-plan.js';
import { componentSpec } from '../../core/specs.js';
import { evalWorkflow } from '../../workflows/eval.js';
import { fakeActivities, startWorkflowEnv, withWorker } from '../helpers/workflow-env.js';

const upper = componentSpec.parse({ name: 'upper', signature: 'text: str -> result: str', provider: 'fake' });
const target = { type: 'component' as const, id: 'cmp_1', name: 'upper', version: 1 };
const exampleIds = Array.from({ length: 12 }, (_, i) => `ex${i}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("an eval's local activities", () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(() => env?.teardown());

  it('run one at a time across its lanes, and its history replays', async () => {
    const runId = `run_eval_turns_${Math.random().toString(36).slice(2)}`;
    let inFlight = 0;
    let most = 0;
    const calls: string[] = [];
    /** One of the eval's own local activities: counted while it runs, slower for some examples than others. */
    const counted = async <T>(name: string, key: string, work: () => Promise<T>): Promise<T> => {
      inFlight++;
      most = Math.max(most, inFlight);
      calls.push(`${name} ${key}`);
      try {
        // Uneven by example, so side by side they would end in another order than they started.
        await sleep(Number(key.replace(/\D/g, '')) % 3 === 0 ? 60 : 5);
        return await work();
      } finally {
        inFlight--;
      }
    };
    const { acts } = fakeActivities();
    const { loadEvalExample, prepareChildRun, recordEvents } = acts;
    acts.loadEvalExample = (input) =>
      input.evalRunId === runId
        ? counted('load', String(input.position), () => loadEvalExample!(input))
        : loadEvalExample!(input);
    acts.prepareChildRun = (input) => counted('prepare', input.childRunId, () => prepareChildRun!(input));
    acts.recordEvents = (input) =>
      input.runId === runId
        ? counted('record', String(input.events[0]?.key ?? ''), () => recordEvents!(input))
        : recordEvents!(input);

    const summary = await withWorker(env, acts, async (taskQueue) => {
      const handle = await env.client.workflow.start(evalWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [
          {
            runId,
            target,
            plan: componentPlan('upper', 1, upper),
            examples: { exampleIds },
            metrics: [{ name: 'exact_match', field: 'result' }],
            concurrency: 4,
            heartbeatTimeoutMs: 2000,
          },
        ],
      });
      return handle.result();
    });
    expect(summary.examples).toBe(exampleIds.length);
    // Each example loaded and prepared once; the lanes were busy together (children, scoring), never their local activities.
    expect(calls.filter((c) => c.startsWith('load')).length).toBe(exampleIds.length);
    expect(calls.filter((c) => c.startsWith('prepare')).length).toBe(exampleIds.length);
    expect(most).toBe(1);
    // A worker with no cache (one after a crash) replays the whole history as it ran.
    const history = await env.client.workflow.getHandle(runId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundle') } }, history, runId);
  });
});
