// The only way a tool runs: decide the policy again right before running, on real paths, and fail
// closed (deny, an unapproved ask, or any error while deciding means the tool does not run).
import { ApplicationFailure, Context } from '@temporalio/activity';
import { evaluatePolicy, isMcpCall, MCP_TOOL, resolveToolPath, toolCall, type PolicyContext, type PolicyDecision, type ToolCall, type Policy } from '../../core/policy.js';
import { redactText } from '../../core/redact.js';
import type { ToolsConfig } from '../../config/index.js';
import { toolRefused, toolResult } from '../../core/run-story/events.js';
import type { EventWriter } from '../../db/event-writer.js';
import { readPolicy, realResolve } from '../../db/policy-file.js';
import type { SecretSet } from '../../core/secrets.js';
import { toolSpan, type ActivityLog } from '../telemetry.js';
import { closeBrowserSession, runBrowser } from './browser.js';
import { runQuery } from './database.js';
import { runFilesystem } from './filesystem.js';
import { judgeToolCall, terminalEnv } from '../../judge/index.js';
import { callMcpTool } from '../../mcp/client.js';
import { proxiedSandboxArgv, startCommandProxy } from '../../sandbox/network/index.js';
import { sandboxArgv, sandboxStatus } from '../../sandbox/index.js';
import { runTerminal } from './terminal.js';

export const OUTPUT_CAP = 16_000;

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
}

export function createRunTool(deps: { events: EventWriter; secrets: SecretSet; tools: ToolsConfig; log?: ActivityLog | undefined }) {
  return async function runTool(input: RunToolInput): Promise<RunToolResult> {
    const ctx = Context.current();
    let call: ToolCall;
    let decision: PolicyDecision;
    let pctx: PolicyContext;
    let policy: Policy;
    let shape: string;
    try {
      call = toolCall.parse(input.call);
      policy = readPolicy(deps.tools.policyPath);
      ({ decision, context: pctx, shape } = await judgeToolCall(policy, call, deps.tools));
    } catch (err) {
      throw ApplicationFailure.nonRetryable(`the tool call could not be checked, so it was not run: ${(err as Error).message}`, 'PolicyCheckFailed');
    }
    // Approved for this run only when the call is still the kind the person approved (not when the policy or the call changed).
    const approved = input.approved || (decision.decision === 'ask' && input.remembered !== undefined && input.remembered === shape);
    if (decision.decision === 'deny' || (decision.decision === 'ask' && !approved)) {
      const message = `refused right before running (${decision.rule}): ${decision.reason}`;
      // The event log said allow (or approve) for this call: it says here that the tool did not run, and why.
      await deps.events.append(input.runId, [toolRefused(input.callId, message)]);
      throw ApplicationFailure.nonRetryable(message, 'PolicyRefused');
    }
    let output = '';
    let ok = true;
    const execute = async () => {
      try {
        if (isMcpCall(call)) {
          const [, server, tool] = MCP_TOOL.exec(call.tool)!;
          const r = await callMcpTool(server!, policy.mcpServers[server!]!, tool!, call.args, deps.tools, ctx.cancellationSignal);
          ok = r.ok;
          output = r.output;
          return;
        }
        switch (call.tool) {
          case 'filesystem':
            output = runFilesystem(pctx, resolveToolPath({ ...pctx, realpath: realResolve }, call.args.path), call.args);
            break;
          case 'terminal': {
            // Network only when the policy allowed this command's reach (or a person approved it), and then under the
            // sandbox only through a proxy that judges every host and port; the namespace itself stays empty.
            const network = decision.network === 'allow' || (decision.network === 'ask' && approved);
            const sandbox = sandboxStatus(deps.tools);
            const proxy = sandbox.active && network ? await startCommandProxy({ policy, approved, endpoints: deps.tools.harnessEndpoints }) : undefined;
            const argv = !sandbox.active ? undefined : proxy ? proxiedSandboxArgv(sandbox, deps.tools, proxy) : sandboxArgv(sandbox, deps.tools, { network: false });
            const r = await runTerminal(call.args.command, pctx.workspace, { env: terminalEnv(deps.tools, pctx.workspace), timeoutMs: 60_000, maxBytes: OUTPUT_CAP * 2, signal: ctx.cancellationSignal, ...(argv ? { sandbox: argv } : {}) }).finally(() => proxy?.close());
            ok = r.exitCode === 0 && !r.timedOut;
            const note = sandbox.active ? '' : `\n[no OS sandbox: ${sandbox.reason}]`;
            const refused = proxy?.refused.length ? `\n[network refused: ${proxy.refused.join('; ')}]` : '';
            output = `${r.output.replace(/\n$/, '')}${r.timedOut ? '\n[timed out; the process group was killed]' : ''}\n[exit code ${r.exitCode ?? 'none'}]${refused}${note}`;
            break;
          }
          case 'database': {
            const conn = policy.connections[call.args.connection]!;
            // What was judged a read runs read-only at the engine, whatever the connection allows.
            output = await runQuery(conn, call.args.sql, pctx, { readOnly: !conn.write || decision.sqlKind === 'read' });
            break;
          }
          case 'browser': {
            // Each navigation (a click too) is judged as an `open` of its URL.
            const approvedHost = approved && call.args.url ? new URL(call.args.url).host : undefined;
            const allowHost = (url: string) => new URL(url).host === approvedHost || evaluatePolicy(policy, { tool: 'browser', args: { op: 'open', url } }, pctx).decision === 'allow';
            output = await runBrowser(input.runId, input.callId, call.args, { allowHost, reservedPorts: deps.tools.harnessEndpoints.map((e) => e.port), artifactsDir: deps.tools.artifactsDir, chromiumPath: deps.tools.chromiumPath });
            break;
          }
        }
      } catch (err) {
        ok = false;
        output = `error: ${(err as Error).message}`;
      }
    };
    // The span names the tool and the policy's decision; it closes when the tool has answered.
    await toolSpan({ tool: call.tool, callId: input.callId, runId: input.runId, decision: decision.decision, rule: decision.rule }, execute);
    const clean = redactText(output, deps.secrets.list());
    const truncated = clean.length > OUTPUT_CAP;
    const result = { ok, output: truncated ? `${clean.slice(0, OUTPUT_CAP)}\n[output truncated]` : clean, truncated };
    await deps.events.append(input.runId, [toolResult({ callId: input.callId, output: result.output, truncated })]);
    deps.log?.info({ runId: input.runId, callId: input.callId, tool: call.tool, decision: decision.decision, rule: decision.rule, ok, truncated }, 'tool call');
    return result;
  };
}

/** End what a run kept open in this process (its browser context). */
export async function endToolSession(runId: string): Promise<void> {
  // MCP sessions are the worker's, shared by runs; a run's end leaves them open.
  await closeBrowserSession(runId);
}
