// The only way a tool runs: decide the policy again right before running, on real paths, and fail
// closed (deny, an unapproved ask, or any error while deciding means the tool does not run).
import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { evaluatePolicy, resolveToolPath, toolCall, type ToolCall } from '../../core/policy.js';
import { redactText } from '../../core/redact.js';
import type { ToolsConfig } from '../../config/index.js';
import type { EventWriter } from '../../db/event-writer.js';
import { policyContext, readPolicy, realResolve } from '../../db/policy-file.js';
import type { SecretSet } from '../../core/secrets.js';
import { toolSpan, type ActivityLog } from '../telemetry.js';
import { closeBrowserSession, runBrowser } from './browser.js';
import { runQuery } from './database.js';
import { runFilesystem } from './filesystem.js';
import { runTerminal } from './terminal.js';

export const OUTPUT_CAP = 16_000;

export interface RunToolInput {
  runId: string;
  callId: string;
  call: ToolCall;
  /** A person approved this call (its policy decision was ask). */
  approved: boolean;
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
    let decision;
    let pctx;
    let policy;
    try {
      call = toolCall.parse(input.call);
      pctx = policyContext(deps.tools);
      policy = readPolicy(deps.tools.policyPath);
      decision = evaluatePolicy(policy, call, { ...pctx, realpath: realResolve });
    } catch (err) {
      throw ApplicationFailure.nonRetryable(`the tool call could not be checked, so it was not run: ${(err as Error).message}`, 'PolicyCheckFailed');
    }
    if (decision.decision === 'deny' || (decision.decision === 'ask' && !input.approved)) {
      throw ApplicationFailure.nonRetryable(`refused right before running (${decision.rule}): ${decision.reason}`, 'PolicyRefused');
    }
    let output = '';
    let ok = true;
    const execute = async () => {
      try {
        switch (call.tool) {
          case 'filesystem':
            output = runFilesystem(pctx.workspace, resolveToolPath({ ...pctx, realpath: realResolve }, call.args.path), call.args);
            break;
          case 'terminal': {
            const r = await runTerminal(call.args.command, pctx.workspace, { env: deps.tools.env, timeoutMs: 60_000, maxBytes: OUTPUT_CAP * 2, signal: ctx.cancellationSignal });
            ok = r.exitCode === 0 && !r.timedOut;
            output = `${r.output.replace(/\n$/, "")}${r.timedOut ? '\n[timed out; the process group was killed]' : ''}\n[exit code ${r.exitCode ?? 'none'}]`;
            break;
          }
          case 'database': {
            const conn = policy.connections[call.args.connection]!;
            output = await runQuery(conn, call.args.sql, path.resolve(pctx.workspace));
            break;
          }
          case 'browser': {
            // Each navigation (a click too) is judged as an `open` of its URL.
            const approvedHost = input.approved && call.args.url ? new URL(call.args.url).host : undefined;
            const allowHost = (url: string) => new URL(url).host === approvedHost || evaluatePolicy(policy, { tool: 'browser', args: { op: 'open', url } }, pctx).decision === 'allow';
            output = await runBrowser(input.runId, input.callId, call.args, { allowHost, artifactsDir: deps.tools.artifactsDir, chromiumPath: deps.tools.chromiumPath });
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
    await deps.events.append(input.runId, [{ type: 'tool.result', key: `${input.callId}:result`, data: { callId: input.callId, output: result.output, truncated } }]);
    deps.log?.info({ runId: input.runId, callId: input.callId, tool: call.tool, decision: decision.decision, rule: decision.rule, ok, truncated }, 'tool call');
    return result;
  };
}

/** End what a run kept open in this process (its browser context). */
export async function endToolSession(runId: string): Promise<void> {
  await closeBrowserSession(runId);
}
