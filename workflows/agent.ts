// An agent run: model step -> tool choice -> policy decision -> (approval) -> tool -> observation,
// until the outputs come or maxSteps. Approvals are Updates; a wait can last days and survive restarts.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { failureMessage } from '../core/failures.js';
import { toolCall, type PolicyDecision, type ToolCall } from '../core/policy.js';
import type { McpToolInfo, TrajectoryStep } from '../core/react.js';
import {
  budgetExceeded,
  policyDecision,
  sessionLost,
  toolCalled,
  turnCompleted,
  turnReused,
} from '../core/run-story/events.js';
import { budgetApprovalId, toolCallId } from '../core/run-story/ids.js';
import type { ComponentSpec } from '../core/specs.js';
import { callShapeV1, evaluatePolicyV1 } from './legacy/policy-v1.js';
import { historyFull } from './history-budget.js';
import { awaitMcpTask } from './mcp-task-wait.js';
import { HEARTBEAT_TIMEOUT_MS, runLifecycle } from './lifecycle.js';
import { record } from './run-events.js';
import { listenForApprovals, waitForPerson, type ApprovalDecision, type Approvals } from './approvals.js';

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
  state?: {
    step: number;
    trajectory: TrajectoryStep[];
    tokens: number;
    costUsd: number;
    remembered: string[];
    budgetApproved: boolean;
    mcpTools?: McpToolInfo[];
    browserQueue?: string | undefined;
  };
}

type AgentState = NonNullable<AgentRunInput['state']>;
type Judged = { decision: PolicyDecision; shape: string; approvalTimeoutMs: number };
type ToolArgs = { runId: string; callId: string; call: ToolCall; approved: boolean; remembered?: string };
type AgentAction = { thought: string; tool: string; args: Record<string, unknown> };

/** The activities an agent run uses, each with the timeouts and retries it needs. */
function agentActivities(heartbeatTimeoutMs: number) {
  const { agentStep } = proxyActivities<Activities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['ProviderRejected', 'ConfigError'] },
  });
  // A tool may not be safe to run twice: no automatic retries; a failure becomes an observation. It heartbeats, so a
  // worker lost mid-call fails the call within the heartbeat timeout.
  const { runTool } = proxyActivities<Activities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: { maximumAttempts: 1 },
  });
  const { discoverMcpTools } = proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['ConfigError'] },
  });
  const { loadPolicy, judgeToolCall, endToolSession } = proxyLocalActivities<Activities>({
    startToCloseTimeout: '10s',
  });
  const { browserSessionQueue } = proxyActivities<Activities>({
    startToCloseTimeout: '30s',
    retry: { maximumAttempts: 3 },
  });
  const { sessionWorkerPolled } = proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '10s',
    retry: { maximumAttempts: 3 },
  });
  return {
    agentStep,
    runTool,
    discoverMcpTools,
    loadPolicy,
    judgeToolCall,
    endToolSession,
    browserSessionQueue,
    sessionWorkerPolled,
  };
}

/** The activities of one worker process: the one whose browser holds this run's session. */
const onSession = (run: AgentRun, taskQueue: string) =>
  proxyActivities<Activities>({
    taskQueue,
    scheduleToStartTimeout: '15s',
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: run.input.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS,
    retry: { maximumAttempts: 1 },
  });

/** One agent run under way: its input, its state (carried across continue-as-new) and what this execution holds. */
interface AgentRun {
  input: AgentRunInput;
  runId: string;
  component: ComponentSpec;
  acts: ReturnType<typeof agentActivities>;
  state: AgentState;
  /** Call shapes a person approved for the rest of the run. */
  remembered: Set<string>;
  /** The turns live in the run's events (each step reads them there), not in the workflow's state. */
  inStore: boolean;
  forked?: AgentRunInput['fork'];
  /** A browser call goes to the worker holding the run's browser (`sessionQueue`). */
  browserAffinity: boolean;
  sessionQueue?: string | undefined;
  approvals: Approvals;
  maxSteps: number;
}

function startAgent(input: AgentRunInput): AgentRun {
  const { component } = input;
  // A run's browser lives in one worker process: its calls follow it there (agents from before this replay as they ran).
  const browserAffinity = !!component.tools?.includes('browser') && patched('browser-session-affinity');
  const forked = input.fork && !input.state ? input.fork : undefined;
  // The turns live in the run's events and each step reads them there; runs under way before that carry them.
  const inStore = !input.state?.trajectory.length && patched('agent-trajectory-in-store');
  const state = input.state ?? {
    step: forked?.turns.length ?? 0,
    trajectory: inStore ? [] : [...(forked?.turns ?? [])],
    tokens: 0,
    costUsd: 0,
    remembered: [],
    budgetApproved: false,
  };
  const acts = agentActivities(input.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS);
  const run: AgentRun = {
    input,
    runId: input.runId,
    component,
    acts,
    state,
    remembered: new Set(state.remembered),
    inStore,
    forked,
    browserAffinity,
    sessionQueue: state.browserQueue,
    approvals: listenForApprovals(),
    maxSteps: component.maxSteps ?? 10,
  };
  return run;
}

/** Ask a person; the answer, or a deny when the policy's timeout passes first. */
async function askPerson(
  run: AgentRun,
  approvalId: string,
  kind: string,
  call: ToolCall | null,
  timeoutMs: number,
): Promise<ApprovalDecision> {
  return waitForPerson(run.runId, run.approvals, { approvalId, kind, call }, timeoutMs);
}

/** The decision on a call: by the parser-backed judge (recorded as its local activity), or, replaying a run from before it, by the frozen v1 judge. */
async function judge(run: AgentRun, call: ToolCall): Promise<Judged> {
  if (patched('policy-judged-by-parser')) return run.acts.judgeToolCall({ call });
  const { policy, context } = await run.acts.loadPolicy();
  return {
    decision: evaluatePolicyV1(policy, call, context),
    shape: callShapeV1(call),
    approvalTimeoutMs: policy.approvalTimeoutMs,
  };
}

/** The run's browser session ends with the run, on the worker that holds it. */
function endSession(run: AgentRun): Promise<void> {
  if (!run.component.tools?.includes('browser')) return Promise.resolve();
  const queue = run.browserAffinity ? run.sessionQueue : undefined;
  return CancellationScope.nonCancellable(() =>
    queue ? onSession(run, queue).endToolSession(run.runId) : run.acts.endToolSession(run.runId),
  ).catch(() => undefined);
}

/** No worker took the call from that queue in time: its process (and the browser) is gone. */
const workerGone = (err: unknown) =>
  err instanceof ActivityFailure &&
  err.cause instanceof TimeoutFailure &&
  err.cause.timeoutType === 'SCHEDULE_TO_START';

/** How many more times a call waits for a session worker that still polls, and how long each check waits for a poll. */
const SESSION_WAITS = 4;
const SESSION_POLL_WAIT_MS = 20_000;

/** Whether the session's worker polled since the call was scheduled: then it was slow (stopped, starved), not gone. */
async function sessionWorkerAlive(run: AgentRun, queue: string, sinceMs: number): Promise<boolean> {
  if (!patched('session-worker-liveness')) return false;
  return run.acts.sessionWorkerPolled({ queue, sinceMs, waitMs: SESSION_POLL_WAIT_MS });
}

/** A tool call; a browser call on the worker holding the run's browser, or, when that worker is gone, on a fresh session elsewhere. */
async function callTool(run: AgentRun, args: ToolArgs) {
  if (!run.browserAffinity || args.call.tool !== 'browser') return run.acts.runTool(args);
  let fresh = false;
  for (let waits = 0; ;) {
    run.sessionQueue ??= (await run.acts.browserSessionQueue()) ?? undefined;
    if (!run.sessionQueue) return run.acts.runTool(args);
    const scheduledAt = Date.now();
    try {
      return await onSession(run, run.sessionQueue).runTool(args);
    } catch (err) {
      if (fresh || !workerGone(err)) throw err;
      if (waits < SESSION_WAITS && (await sessionWorkerAlive(run, run.sessionQueue, scheduledAt))) {
        waits++;
        continue;
      }
      await record(run.runId, [sessionLost(args.callId)]);
      run.sessionQueue = undefined;
      fresh = true;
    }
  }
}

/** One turn taken: into the trajectory, and (for forks and diffs) into the run's events. */
async function takeTurn(run: AgentRun, step: number, entry: TrajectoryStep): Promise<void> {
  if (!run.inStore) run.state.trajectory.push(entry);
  if (patched('agent-turn-events')) await record(run.runId, [turnCompleted(step, { ...entry })]);
}

/** Which budget the run's totals went over, if any. */
function overBudget(budget: ComponentSpec['budget'], state: AgentState) {
  if (budget?.maxTokens !== undefined && state.tokens > budget.maxTokens)
    return { budget: 'maxTokens', limit: budget.maxTokens, used: state.tokens };
  if (budget?.maxCostUsd !== undefined && state.costUsd > budget.maxCostUsd)
    return { budget: 'maxCostUsd', limit: budget.maxCostUsd, used: state.costUsd };
  return undefined;
}

/** Past its budget the run fails, or (onExceed 'ask') waits for a person to extend it, once. */
async function checkBudget(run: AgentRun, step: number): Promise<void> {
  const budget = run.component.budget;
  const over = overBudget(budget, run.state);
  if (!over || run.state.budgetApproved) return;
  await record(run.runId, [budgetExceeded(step, over)]);
  if (budget?.onExceed !== 'ask')
    throw ApplicationFailure.nonRetryable(
      `budget ${over.budget} exceeded: ${over.used} > ${over.limit}`,
      'BudgetExceeded',
    );
  const { policy } = await run.acts.loadPolicy();
  const d = await askPerson(run, budgetApprovalId(step), 'budget', null, policy.approvalTimeoutMs);
  if (d.decision !== 'approve')
    throw ApplicationFailure.nonRetryable(`budget ${over.budget} exceeded and not extended`, 'BudgetExceeded');
  run.state.budgetApproved = true;
}

/** The tool's output, or what it said when it failed (a failure is an observation, not the run's end). */
async function toolOutput(run: AgentRun, args: ToolArgs): Promise<string> {
  try {
    const result = await callTool(run, args);
    return result.task ? (await awaitMcpTask(run.runId, args.callId, result.task)).output : result.output;
  } catch (err) {
    if (isCancellation(err)) throw err;
    return `The tool failed: ${failureMessage(err)}`;
  }
}

/** What the model is told of its call: the tool's output, or why it did not run (the policy, or a person, said no). */
async function observe(
  run: AgentRun,
  callId: string,
  call: ToolCall,
  decision: PolicyDecision,
  judged: Judged,
): Promise<string> {
  let approved = false;
  if (decision.decision === 'ask') {
    const d = await askPerson(run, callId, 'tool', call, judged.approvalTimeoutMs);
    approved = d.decision === 'approve';
    if (approved && d.remember === 'run') run.remembered.add(judged.shape);
    if (!approved) return `A person denied this call${d.reason ? `: ${d.reason}` : ''}.`;
  }
  if (decision.decision === 'deny') return `Denied by policy (${decision.rule}): ${decision.reason}`;
  // A remembered approval travels with the call: the registry's re-check asks again and must find it.
  return toolOutput(run, {
    runId: run.runId,
    callId,
    call,
    approved,
    ...(decision.rule === 'remembered:run' ? { remembered: judged.shape } : {}),
  });
}

/** The model's tool call: judged, recorded, perhaps approved, run; true once its turn is taken with the tool's observation. */
async function toolTurn(run: AgentRun, step: number, action: AgentAction): Promise<boolean> {
  const callId = toolCallId(step);
  const parsed = toolCall.safeParse({ tool: action.tool, args: action.args });
  if (!parsed.success) {
    await takeTurn(run, step, {
      thought: action.thought,
      call: { tool: action.tool, args: action.args },
      observation: `invalid arguments: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    });
    return false;
  }
  const call = parsed.data;
  const judged = await judge(run, call);
  let decision: PolicyDecision = judged.decision;
  if (decision.decision === 'ask' && run.remembered.has(judged.shape))
    decision = {
      decision: 'allow',
      rule: 'remembered:run',
      reason: 'approved earlier in this run for the same kind of call',
    };
  await record(run.runId, [
    toolCalled({ callId, tool: call.tool, args: call.args }),
    policyDecision({ callId, decision: decision.decision, rule: decision.rule }),
  ]);
  const observation = await observe(run, callId, call, decision, judged);
  await takeTurn(run, step, { thought: action.thought, call: { tool: call.tool, args: call.args }, observation });
  return true;
}

/** How a step ended: with the outputs, with the last step taken and no finish, or with a turn (`tool`: a tool call's). */
type StepEnd = { outputs: Record<string, unknown> } | { outOfSteps: true } | { turn: 'plain' | 'tool' };

/** One step: the model's move (counted against the budget), then its tool call. */
async function takeStep(run: AgentRun): Promise<StepEnd> {
  const { state, input } = run;
  const step = state.step;
  // As DSPy's ReAct extracts its outputs when iterations run out, the last step may only finish;
  // runs that were already under way before this existed replay without it (the patch marker).
  const finishOnly = step === run.maxSteps - 1 && patched('agent-finish-only-last-step');
  const res = await run.acts.agentStep({
    runId: run.runId,
    step,
    component: run.component,
    inputs: input.inputs,
    ...(run.inStore ? {} : { trajectory: state.trajectory }),
    ...(finishOnly ? { finishOnly } : {}),
    ...(state.mcpTools?.length ? { mcpTools: state.mcpTools } : {}),
  });
  state.tokens += res.usage.inputTokens + res.usage.outputTokens;
  state.costUsd += res.costUsd;
  state.step++;
  await checkBudget(run, step);
  if ('problem' in res) {
    await takeTurn(run, step, { thought: '', observation: `Your last answer could not be used: ${res.problem}` });
    return { turn: 'plain' };
  }
  const { action } = res;
  if ('finish' in action) return { outputs: action.finish };
  if (finishOnly) return { outOfSteps: true };
  return { turn: (await toolTurn(run, step, action)) ? 'tool' : 'plain' };
}

/** A fork's first turns, written as taken from the source run; MCP tools listed once and pinned (a server changing its tools mid-run does not change the run). */
async function beginAgent(run: AgentRun): Promise<void> {
  const { forked, state } = run;
  if (forked?.turns.length)
    await record(
      run.runId,
      forked.turns.flatMap((t, i) => [turnReused(i, forked.sourceRunId), turnCompleted(i, { ...t }, true)]),
    );
  const mcpEntries = (run.component.tools ?? []).filter((t) => t.startsWith('mcp:'));
  if (mcpEntries.length && !state.mcpTools) state.mcpTools = await run.acts.discoverMcpTools({ tools: mcpEntries });
}

/** Well before Temporal's history limits: start fresh, carrying the step, the totals and (before the store kept them) the turns. */
async function continueIfFull(run: AgentRun): Promise<void> {
  if (!historyFull(run.input.continueAfterEvents)) return;
  const state = {
    ...run.state,
    remembered: [...run.remembered],
    ...(run.sessionQueue ? { browserQueue: run.sessionQueue } : {}),
  };
  await continueAsNew<typeof agentWorkflow>({ ...run.input, ...(run.inStore ? { fork: undefined } : {}), state });
}

async function agentLoop(run: AgentRun): Promise<Record<string, unknown>> {
  await beginAgent(run);
  while (run.state.step < run.maxSteps) {
    const end = await takeStep(run);
    if ('outputs' in end) return end.outputs;
    if ('outOfSteps' in end) break;
    if (end.turn === 'tool') await continueIfFull(run);
  }
  throw ApplicationFailure.nonRetryable(
    `the agent used its ${run.maxSteps} steps without finishing`,
    'MaxStepsReached',
  );
}

export async function agentWorkflow(input: AgentRunInput): Promise<Record<string, unknown>> {
  const run = startAgent(input);
  const header = {
    runId: input.runId,
    kind: 'agent',
    target: input.target,
    inputs: input.inputs,
    continued: input.state !== undefined,
  };
  return runLifecycle(header, () => agentLoop(run), { finally: () => endSession(run) });
}
