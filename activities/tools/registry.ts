// The only way a tool runs: decide the policy again right before running, on real paths, and fail
// closed (deny, an unapproved ask, or any error while deciding means the tool does not run). The
// tool is an object (core/tools): the registry checks its call, judges it, and runs its execute.
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  evaluatePolicy,
  parseToolCall,
  TOOLS,
  type Policy,
  type PolicyDecision,
  type ToolCall,
  type ToolCatalogue,
} from '../../core/policy.js';
import type { AnyTool, McpTaskRef, ToolOutcome } from '../../core/tools/define.js';
import { redactText } from '../../core/redact.js';
import type { ToolsConfig } from '../../config/index.js';
import { toolRefused, toolResult } from '../../core/run-story/events.js';
import type { EventWriter } from '../../db/event-writer.js';
import { readPolicy } from '../../db/policy-file.js';
import type { SecretSet } from '../../core/secrets.js';
import { beating } from '../heartbeat.js';
import { toolSpan, type ActivityLog } from '../telemetry.js';
import { closeBrowserSession } from './browser.js';
import { judgeToolCall, type Judgement } from '../../judge/index.js';
import { OUTPUT_CAP, toolServices } from './services.js';

export { OUTPUT_CAP } from './services.js';

export interface RunToolInput {
  runId: string;
  callId: string;
  call: ToolCall;
  /** A person approved this call (its policy decision was ask). */
  approved: boolean;
  /** The shape a person approved "for this run": a call the re-check judges to the same shape counts as approved. */
  remembered?: string | undefined;
}

export interface RunToolResult {
  ok: boolean;
  output: string;
  truncated: boolean;
  /** An MCP server runs the call as a task: the workflow waits for it (activities/tools/mcp-tasks.ts). */
  task?: McpTaskRef | undefined;
}

export interface RegistryDeps {
  events: EventWriter;
  secrets: SecretSet;
  tools: ToolsConfig;
  log?: ActivityLog | undefined;
  /** The tools this registry runs (TOOLS unless a test adds its own). */
  catalogue?: ToolCatalogue | undefined;
}

/** A call checked and judged again, with the policy it was judged under. */
interface Checked extends Judgement {
  tool: AnyTool;
  call: { tool: string; args: unknown };
  policy: Policy;
}

async function check(deps: RegistryDeps, raw: unknown): Promise<Checked> {
  try {
    const { tool, call } = parseToolCall(raw, deps.catalogue ?? TOOLS);
    const policy = readPolicy(deps.tools.policyPath);
    return { tool, call, policy, ...(await judgeToolCall(policy, call, deps.tools, deps.catalogue)) };
  } catch (err) {
    throw ApplicationFailure.nonRetryable(
      `the tool call could not be checked, so it was not run: ${(err as Error).message}`,
      'PolicyCheckFailed',
    );
  }
}

/** Approved for this run only when the call is still the kind the person approved (not when the policy or the call changed). */
function isApproved(input: RunToolInput, decision: PolicyDecision, shape: string): boolean {
  return (
    input.approved || (decision.decision === 'ask' && input.remembered !== undefined && input.remembered === shape)
  );
}

async function refuseUnlessAllowed(
  deps: RegistryDeps,
  input: RunToolInput,
  decision: PolicyDecision,
  approved: boolean,
): Promise<void> {
  if (decision.decision === 'allow' || (decision.decision === 'ask' && approved)) return;
  const message = `refused right before running (${decision.rule}): ${decision.reason}`;
  // The event log said allow (or approve) for this call: it says here that the tool did not run, and why.
  await deps.events.append(input.runId, [toolRefused(input.callId, message)]);
  throw ApplicationFailure.nonRetryable(message, 'PolicyRefused');
}

/** The tool's execute, with what it may use; an error becomes its answer. */
async function execute(deps: RegistryDeps, input: RunToolInput, c: Checked, approved: boolean): Promise<ToolOutcome> {
  const ctx = Context.current();
  const signal = ctx.cancellationSignal;
  const catalogue = deps.catalogue ?? TOOLS;
  const scope = {
    runId: input.runId,
    callId: input.callId,
    tool: c.tool,
    policy: c.policy,
    context: c.context,
    tools: deps.tools,
    signal,
  };
  const judge = (call: { tool: string; args: unknown }) => evaluatePolicy(c.policy, call, c.context, {}, catalogue);
  // Heartbeats while the tool runs, so a lost worker or a cancelled run ends the call in seconds.
  return beating(
    () =>
      c.tool
        .execute(c.call.args, {
          ...scope,
          tool: c.call.tool,
          decision: c.decision,
          approved,
          judge,
          services: toolServices(scope),
        })
        .catch((err: unknown): ToolOutcome => ({ ok: false, output: `error: ${(err as Error).message}` })),
    ctx,
  );
}

/** The answer as the model and the event log see it: secrets redacted, cut to OUTPUT_CAP. */
export function answerOf(deps: Pick<RegistryDeps, 'secrets'>, outcome: ToolOutcome): RunToolResult {
  const clean = redactText(outcome.output, deps.secrets.list());
  const truncated = clean.length > OUTPUT_CAP;
  return { ok: outcome.ok, output: truncated ? `${clean.slice(0, OUTPUT_CAP)}\n[output truncated]` : clean, truncated };
}

export function createRunTool(deps: RegistryDeps) {
  return async function runTool(input: RunToolInput): Promise<RunToolResult> {
    const checked = await check(deps, input.call);
    const { decision, shape } = checked;
    const approved = isApproved(input, decision, shape);
    await refuseUnlessAllowed(deps, input, decision, approved);
    // The span names the tool and the policy's decision; it closes when the tool has answered.
    const outcome = await toolSpan(
      {
        tool: checked.call.tool,
        callId: input.callId,
        runId: input.runId,
        decision: decision.decision,
        rule: decision.rule,
      },
      () => execute(deps, input, checked, approved),
    );
    // A task's answer comes when it ends: its result is the tool's result then, recorded once.
    if (outcome.task) return { ok: true, output: outcome.output, truncated: false, task: outcome.task };
    const result = answerOf(deps, outcome);
    await deps.events.append(input.runId, [
      toolResult({
        callId: input.callId,
        output: result.output,
        truncated: result.truncated,
        ...(outcome.app ? { app: outcome.app } : {}),
      }),
    ]);
    deps.log?.info(
      {
        runId: input.runId,
        callId: input.callId,
        tool: checked.call.tool,
        decision: decision.decision,
        rule: decision.rule,
        ok: result.ok,
        truncated: result.truncated,
      },
      'tool call',
    );
    return result;
  };
}

/** End what a run kept open in this process (its browser context). */
export async function endToolSession(runId: string): Promise<void> {
  // MCP sessions are the worker's, shared by runs; a run's end leaves them open.
  await closeBrowserSession(runId);
}
