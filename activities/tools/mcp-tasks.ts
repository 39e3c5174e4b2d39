// A tool call an MCP server runs as a task: the workflow waits between short polls (durable timers, no connection
// held), reads the result once the task has ended, and cancels it when the run stops waiting.
import { ApplicationFailure } from '@temporalio/activity';
import { isTerminal } from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { McpTaskRef } from '../../core/tools/define.js';
import { toolResult } from '../../core/run-story/events.js';
import { readPolicy } from '../../db/policy-file.js';
import { cancelMcpTask, mcpTaskResult, mcpTaskStatus } from '../../mcp/client.js';
import { answerOf, type RegistryDeps, type RunToolResult } from './registry.js';

export interface McpTaskCall {
  runId: string;
  callId: string;
  task: McpTaskRef;
}

export function createMcpTaskActivities(deps: RegistryDeps) {
  /** The server's spec as the policy declares it now (it is the worker's to reach, as for the call itself). */
  const specOf = (server: string) => {
    const spec = readPolicy(deps.tools.policyPath).mcpServers[server];
    if (!spec) throw ApplicationFailure.nonRetryable(`MCP server '${server}' is no longer declared`, 'ConfigError');
    return spec;
  };
  return {
    /** Whether the task has ended (and how it stands). */
    async mcpTaskPoll({ task }: McpTaskCall) {
      const now = await mcpTaskStatus(task.server, specOf(task.server), task.taskId, deps.tools);
      return { ...now, ended: isTerminal(now.status) };
    },
    /** The ended task's result, as the model and the event log see a tool's answer. */
    async mcpTaskResult({ runId, callId, task }: McpTaskCall): Promise<RunToolResult> {
      // The server's own answer (a failed or unknown task) is the tool's; a network error is retried.
      const outcome = await mcpTaskResult(task.server, specOf(task.server), task.taskId, deps.tools).catch(
        (err: Error) => {
          if (!(err instanceof McpError)) throw err;
          return { ok: false, output: `error: MCP task ${task.taskId}: ${err.message}` };
        },
      );
      const result = answerOf(deps, outcome);
      const app = task.app ? { app: task.app } : {};
      await deps.events.append(runId, [
        toolResult({ callId, output: result.output, truncated: result.truncated, ...app }),
      ]);
      return result;
    },
    async mcpTaskCancel({ task }: McpTaskCall): Promise<void> {
      await cancelMcpTask(task.server, specOf(task.server), task.taskId, deps.tools);
    },
  };
}
