// An agent run: model step -> tool choice -> policy decision -> (approval) -> tool -> observation,
// until the outputs come or maxSteps. Approvals are Updates; a wait can last days and survive restarts.
import { ActivityFailure, ApplicationFailure, CancellationScope, condition, continueAsNew, defineQuery, defineUpdate, isCancellation, patched, proxyActivities, proxyLocalActivities, setHandler, TimeoutFailure } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { failureMessage } from '../core/failures.js';
import { toolCall, type PolicyDecision, type ToolCall } from '../core/policy.js';
import type { McpToolInfo, TrajectoryStep } from '../core/react.js';
import { approvalRequested, approvalResolved, budgetExceeded, policyDecision, sessionLost, toolCalled, turnCompleted, turnReused } from '../core/run-story/events.js';
import { budgetApprovalId, toolCallId } from '../core/run-story/ids.js';
import type { ComponentSpec } from '../core/specs.js';
import { callShapeV1, evaluatePolicyV1 } from './legacy/policy-v1.js';
import { historyFull } from './history-budget.js';
import { runLifecycle } from './lifecycle.js';
import { record } from './run-events.js';

export interface AgentRunInput {
  runId: string;
  component: ComponentSpec;
  target: { type: 'component'; name: string; version: number };
  inputs: Record<string, unknown>;
  heartbeatTimeoutMs?: number;
  /** Continue as new past this many history events (Temporal warns at 10,240). */
  continueAfterEvents?: number;
  /** A fork: the source run's first turns, taken as they were (their tools never run again). */
  fork?: { sourceRunId: string; turns: TrajectoryStep[] };
  /** Carried across continue-as-new. */
  state?: { step: number; trajectory: TrajectoryStep[]; tokens: number; costUsd: number; remembered: string[]; budgetApproved: boolean; mcpTools?: McpToolInfo[]; browserQueue?: string | undefined };
}

export interface ApprovalDecision {
  approvalId: string;
  decision: 'approve' | 'deny';
  reason?: string;
  remember?: 'run' | 'never';
}

export const approve = defineUpdate<{ ok: true }, [ApprovalDecision]>('approve');
export const pendingApprovals = defineQuery<Array<{ approvalId: string; call: ToolCall | null; kind: string }>>('pendingApprovals');

export async function agentWorkflow(input: AgentRunInput): Promise<Record<string, unknown>> {
  const { runId, component } = input;
  const { agentStep } = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: input.heartbeatTimeoutMs ?? 10_000, retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['ProviderRejected', 'ConfigError'] } });
  // A tool may not be safe to run twice: no automatic retries; a failure becomes an observation.
  const { runTool } = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: { maximumAttempts: 1 } });
  const { discoverMcpTools } = proxyActivities<Activities>({ startToCloseTimeout: '2 minutes', retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['ConfigError'] } });
  const { loadPolicy, judgeToolCall, endToolSession } = proxyLocalActivities<Activities>({ startToCloseTimeout: '10s' });
  const { browserSessionQueue } = proxyActivities<Activities>({ startToCloseTimeout: '30s', retry: { maximumAttempts: 3 } });
  /** The activities of one worker process: the one whose browser holds this run's session. */
  const onSession = (taskQueue: string) => proxyActivities<Activities>({ taskQueue, scheduleToStartTimeout: '15s', startToCloseTimeout: '5 minutes', retry: { maximumAttempts: 1 } });
  // A run's browser lives in one worker process: its calls follow it there (agents from before this replay as they ran).
  const browserAffinity = !!component.tools?.includes('browser') && patched('browser-session-affinity');
  /** The decision on a call: by the parser-backed judge (recorded as its local activity), or, replaying a run from before it, by the frozen v1 judge. */
  const judge = async (call: ToolCall): Promise<{ decision: PolicyDecision; shape: string; approvalTimeoutMs: number }> => {
    if (patched('policy-judged-by-parser')) return judgeToolCall({ call });
    const { policy, context } = await loadPolicy();
    return { decision: evaluatePolicyV1(policy, call, context), shape: callShapeV1(call), approvalTimeoutMs: policy.approvalTimeoutMs };
  };
  const forked = input.fork && !input.state ? input.fork : undefined;
  // The turns live in the run's events and each step reads them there; runs under way before that carry them.
  const inStore = !input.state?.trajectory.length && patched('agent-trajectory-in-store');
  const state = input.state ?? { step: forked?.turns.length ?? 0, trajectory: inStore ? [] : [...(forked?.turns ?? [])], tokens: 0, costUsd: 0, remembered: [], budgetApproved: false };
  const remembered = new Set(state.remembered);
  let sessionQueue = state.browserQueue;
  const pending = new Map<string, { call: ToolCall | null; kind: string }>();
  const answers = new Map<string, ApprovalDecision>();
  const maxSteps = component.maxSteps ?? 10;

  setHandler(
    approve,
    (d) => {
      answers.set(d.approvalId, d);
      return { ok: true as const };
    },
    {
      validator: (d) => {
        if (!pending.has(d.approvalId)) throw new Error(`no pending approval '${d.approvalId}' on this run`);
        if (d.decision !== 'approve' && d.decision !== 'deny') throw new Error("decision must be 'approve' or 'deny'");
      },
    },
  );
  setHandler(pendingApprovals, () => [...pending].map(([approvalId, p]) => ({ approvalId, ...p })));

  /** Ask a person; the answer, or a deny when the policy's timeout passes first. */
  const ask = async (approvalId: string, kind: string, call: ToolCall | null, timeoutMs: number): Promise<ApprovalDecision> => {
    pending.set(approvalId, { call, kind });
    await record(runId, [approvalRequested({ approvalId, callId: approvalId, tool: call?.tool ?? kind, args: call?.args ?? null })], { status: 'waiting_approval' });
    const answered = await condition(() => answers.has(approvalId), timeoutMs);
    pending.delete(approvalId);
    const d = answered ? answers.get(approvalId)! : { approvalId, decision: 'deny' as const, reason: 'timed out waiting for approval' };
    await record(runId, [approvalResolved({ approvalId, decision: d.decision, ...(d.reason ? { reason: d.reason } : {}) })], { status: 'running' });
    return d;
  };

  const endSession = () => {
    if (!component.tools?.includes('browser')) return Promise.resolve();
    const queue = browserAffinity ? sessionQueue : undefined;
    return CancellationScope.nonCancellable(() => (queue ? onSession(queue).endToolSession(runId) : endToolSession(runId))).catch(() => undefined);
  };
  /** A tool call; a browser call on the worker holding the run's browser, or, when that worker is gone, on a fresh session elsewhere. */
  const callTool = async (args: { runId: string; callId: string; call: ToolCall; approved: boolean; remembered?: string }) => {
    if (!browserAffinity || args.call.tool !== 'browser') return runTool(args);
    for (let fresh = false; ; fresh = true) {
      sessionQueue ??= (await browserSessionQueue()) ?? undefined;
      if (!sessionQueue) return runTool(args);
      try {
        return await onSession(sessionQueue).runTool(args);
      } catch (err) {
        // No worker took the call from that queue in time: its process (and the browser) is gone.
        const lost = err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === 'SCHEDULE_TO_START';
        if (fresh || !lost) throw err;
        await record(runId, [sessionLost(args.callId)]);
        sessionQueue = undefined;
      }
    }
  };
  /** One turn taken: into the trajectory, and (for forks and diffs) into the run's events. */
  const takeTurn = async (step: number, entry: TrajectoryStep) => {
    if (!inStore) state.trajectory.push(entry);
    if (patched('agent-turn-events')) await record(runId, [turnCompleted(step, { ...entry })]);
  };
  const loop = async (): Promise<Record<string, unknown>> => {
    if (forked?.turns.length) {
      await record(
        runId,
        forked.turns.flatMap((t, i) => [
          turnReused(i, forked.sourceRunId),
          turnCompleted(i, { ...t }, true),
        ]),
      );
    }
    // MCP tools are listed once, at the start, and pinned: a server changing its tools mid-run does not change the run.
    const mcpEntries = (component.tools ?? []).filter((t) => t.startsWith('mcp:'));
    if (mcpEntries.length && !state.mcpTools) state.mcpTools = await discoverMcpTools({ tools: mcpEntries });
    while (state.step < maxSteps) {
      const step = state.step;
      // As DSPy's ReAct extracts its outputs when iterations run out, the last step may only finish;
      // runs that were already under way before this existed replay without it (the patch marker).
      const finishOnly = step === maxSteps - 1 && patched('agent-finish-only-last-step');
      const res = await agentStep({ runId, step, component, inputs: input.inputs, ...(inStore ? {} : { trajectory: state.trajectory }), ...(finishOnly ? { finishOnly } : {}), ...(state.mcpTools?.length ? { mcpTools: state.mcpTools } : {}) });
      state.tokens += res.usage.inputTokens + res.usage.outputTokens;
      state.costUsd += res.costUsd;
      state.step++;

      const budget = component.budget;
      const over = budget?.maxTokens !== undefined && state.tokens > budget.maxTokens ? { budget: 'maxTokens', limit: budget.maxTokens, used: state.tokens } : budget?.maxCostUsd !== undefined && state.costUsd > budget.maxCostUsd ? { budget: 'maxCostUsd', limit: budget.maxCostUsd, used: state.costUsd } : undefined;
      if (over && !state.budgetApproved) {
        await record(runId, [budgetExceeded(step, over)]);
        if (budget?.onExceed !== 'ask') throw ApplicationFailure.nonRetryable(`budget ${over.budget} exceeded: ${over.used} > ${over.limit}`, 'BudgetExceeded');
        const { policy } = await loadPolicy();
        const d = await ask(budgetApprovalId(step), 'budget', null, policy.approvalTimeoutMs);
        if (d.decision !== 'approve') throw ApplicationFailure.nonRetryable(`budget ${over.budget} exceeded and not extended`, 'BudgetExceeded');
        state.budgetApproved = true;
      }

      if ('problem' in res) {
        await takeTurn(step, { thought: '', observation: `Your last answer could not be used: ${res.problem}` });
        continue;
      }
      const { action } = res;
      if ('finish' in action) return action.finish;
      if (finishOnly) break;

      const callId = toolCallId(step);
      const parsed = toolCall.safeParse({ tool: action.tool, args: action.args });
      if (!parsed.success) {
        await takeTurn(step, { thought: action.thought, call: { tool: action.tool, args: action.args }, observation: `invalid arguments: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
        continue;
      }
      const call = parsed.data;
      const judged = await judge(call);
      let decision: PolicyDecision = judged.decision;
      if (decision.decision === 'ask' && remembered.has(judged.shape)) decision = { decision: 'allow', rule: 'remembered:run', reason: 'approved earlier in this run for the same kind of call' };
      await record(runId, [
        toolCalled({ callId, tool: call.tool, args: call.args }),
        policyDecision({ callId, decision: decision.decision, rule: decision.rule }),
      ]);

      let observation: string;
      let approved = false;
      if (decision.decision === 'ask') {
        const d = await ask(callId, 'tool', call, judged.approvalTimeoutMs);
        approved = d.decision === 'approve';
        if (approved && d.remember === 'run') remembered.add(judged.shape);
        if (!approved) observation = `A person denied this call${d.reason ? `: ${d.reason}` : ''}.`;
      }
      if (decision.decision === 'deny') observation = `Denied by policy (${decision.rule}): ${decision.reason}`;
      else if (decision.decision === 'allow' || approved) {
        try {
          // A remembered approval travels with the call: the registry's re-check asks again and must find it.
          const r = await callTool({ runId, callId, call, approved, ...(decision.rule === 'remembered:run' ? { remembered: judged.shape } : {}) });
          observation = r.output;
        } catch (err) {
          if (isCancellation(err)) throw err;
          observation = `The tool failed: ${failureMessage(err)}`;
        }
      }
      await takeTurn(step, { thought: action.thought, call: { tool: call.tool, args: call.args }, observation: observation! });

      // Well before Temporal's history limits: start fresh, carrying the step, the totals and (before the store kept them) the turns.
      if (historyFull(input.continueAfterEvents)) {
        await continueAsNew<typeof agentWorkflow>({ ...input, ...(inStore ? { fork: undefined } : {}), state: { ...state, remembered: [...remembered], ...(sessionQueue ? { browserQueue: sessionQueue } : {}) } });
      }
    }
    throw ApplicationFailure.nonRetryable(`the agent used its ${maxSteps} steps without finishing`, 'MaxStepsReached');
  };
  return runLifecycle({ runId, kind: 'agent', target: input.target, inputs: input.inputs, continued: input.state !== undefined }, loop, { finally: endSession });
}
