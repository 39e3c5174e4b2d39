// Workflow logic against a real Temporal test server, with an inline object of fake activities
// (Temporal's own testing pattern): what each workflow records, decided by the workflow alone.
import { Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Activities } from '../../activities/index.js';
import { stepStarted, type NewRunEvent } from '../../core/run-story/events.js';
import { aggregate, metricKey } from '../../core/metrics.js';
import { callShape, evaluatePolicy, policySpec, type ToolCall } from '../../core/policy.js';
import { readFacts } from '../../judge/index.js';
import type { RunPatch } from '../../core/run-story/status.js';

/** The suite's Temporal (each test's workflows on their own task queue and ids): no dev server of its own to start. */
export async function startWorkflowEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
}

/** What a run recorded through recordEvents: its events in order and its status moves. */
export interface RunRecord {
  events: NewRunEvent[];
  statuses: string[];
}

export type FakeActivities = Partial<Activities>;

/** Block until the activity is cancelled (heartbeating so the cancellation arrives). */
export async function blockUntilCancelled(): Promise<never> {
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat();
    await Promise.race([ctx.cancelled, new Promise((r) => setTimeout(r, 100))]);
  }
}

const usage = { inputTokens: 3, outputTokens: 2 };

/** Defaults that succeed; a test overrides the one activity whose behaviour it is about. */
export function fakeActivities(overrides: FakeActivities = {}) {
  const runs = new Map<string, RunRecord>();
  const evalExamples = new Map<string, string[]>();
  const evalResults = new Map<string, Map<string, { scores: Record<string, number>; error: string | null }>>();
  const recordOf = (runId: string) => runs.get(runId) ?? runs.set(runId, { events: [], statuses: [] }).get(runId)!;
  /** As the store appends: one copy per key, and a repeated start is no status move. */
  const write = (runId: string, events: NewRunEvent[], patch?: RunPatch) => {
    const r = recordOf(runId);
    for (const e of events) if (!r.events.some((x) => x.key === e.key)) r.events.push(e);
    if (patch?.status && !(patch.status === 'running' && r.statuses.at(-1) === 'running'))
      r.statuses.push(patch.status);
    return r.events.length;
  };
  const acts: FakeActivities = {
    async recordEvents(input: { runId: string; events: NewRunEvent[]; patch?: RunPatch }) {
      return write(input.runId, input.events, input.patch);
    },
    async predict(input) {
      // As the real one: what the workflow carried, then the step's start, in one write.
      const started: NewRunEvent[] = input.recordStep ? [stepStarted({ stepId: input.stepId, attempt: 1 })] : [];
      write(input.runId, [...(input.carried ?? []), ...started], input.carriedPatch);
      return {
        outputs: { result: String(input.inputs.text ?? '').toUpperCase() },
        usage,
        costUsd: 0.001,
        latencyMs: 1,
      };
    },
    async agentStep() {
      return { action: { thought: 'done', finish: { answer: 'ok' } }, usage, costUsd: 0.001 };
    },
    async runTool(input) {
      return { ok: true, output: `ran ${input.call.tool}`, truncated: false };
    },
    async loadPolicy() {
      return {
        policy: policySpec.parse({ rules: [{ tool: 'filesystem', action: 'allow' }], approvalTimeoutMs: 60_000 }),
        context: { workspace: '/ws', home: '/root', protectedPaths: [] },
      };
    },
    /** The real judge over whatever loadPolicy answers (paths judged lexically, as in a workflow test nothing is on disk). */
    async judgeToolCall(input: { call: ToolCall }) {
      const { policy, context } = await acts.loadPolicy!();
      const facts = await readFacts(policy, input.call, { HOME: context.home, PWD: context.workspace });
      const decision = evaluatePolicy(policy, input.call, { ...context, sandboxed: true }, facts);
      return { decision, shape: callShape(input.call, facts, decision), approvalTimeoutMs: policy.approvalTimeoutMs };
    },
    async endToolSession() {},
    async chatTurn(input) {
      return {
        messageId: input.messageId,
        seq: 1,
        role: 'assistant' as const,
        content: `echo ${input.content}`,
        usage,
      };
    },
    async chatReply() {
      return null;
    },
    async prepareChildRun() {},
    async loadExample({ exampleId }) {
      return { id: exampleId, inputs: { text: exampleId }, expected: { result: exampleId.toUpperCase() } };
    },
    // An eval's fixed examples and scored results, as the store would keep them.
    async snapshotEvalExamples({ evalRunId, source }) {
      if (!evalExamples.has(evalRunId))
        evalExamples.set(evalRunId, 'exampleIds' in source ? source.exampleIds : ['ex1', 'ex2']);
      return { total: evalExamples.get(evalRunId)!.length };
    },
    async loadEvalExample({ evalRunId, position }) {
      return acts.loadExample!({ exampleId: evalExamples.get(evalRunId)![position]! });
    },
    async scoreExample(input) {
      return { scores: { 'exact_match:result': input.outputs ? 1 : 0 } };
    },
    async summarizeEval({ evalRunId, metrics }) {
      const rows = [...(evalResults.get(evalRunId)?.values() ?? [])];
      const aggregates = Object.fromEntries(
        metrics.map((m) => [metricKey(m), aggregate(rows.map((r) => r.scores[metricKey(m)] ?? 0))]),
      );
      return {
        examples: rows.length,
        errors: rows.filter((r) => r.error).length,
        aggregates,
        usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
      };
    },
    async totalEvalUsage() {
      return { inputTokens: 0, outputTokens: 0, costUsd: 0 };
    },
    async saveComponentVersion() {
      return { version: 2 };
    },
    ...overrides,
  };
  // Whatever scores an example (a test may override it), its result is kept, as the store keeps it.
  const score = acts.scoreExample!;
  acts.scoreExample = async (input) => {
    const r = await score(input);
    (evalResults.get(input.evalRunId) ?? evalResults.set(input.evalRunId, new Map()).get(input.evalRunId)!).set(
      input.exampleId,
      { scores: r.scores, error: input.error },
    );
    return r;
  };
  return { acts, runs, recordOf };
}

/** Scores where an optimizer's candidate beats the version it started from (its "before" eval scores 0), so it saves. */
export const candidateBeatsBefore: FakeActivities = {
  async scoreExample(input) {
    return {
      scores: Object.fromEntries(input.metrics.map((m) => [metricKey(m), input.evalRunId.endsWith('-before') ? 0 : 1])),
    };
  },
};

/** A worker on its own task queue, running while `fn` runs. */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  activities: FakeActivities,
  fn: (taskQueue: string) => Promise<T>,
): Promise<T> {
  const taskQueue = `wf-${Math.random().toString(36).slice(2)}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities,
    workflowBundle: { codePath: inject('workflowBundle') },
  });
  return worker.runUntil(fn(taskQueue));
}
