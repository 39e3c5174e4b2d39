// An exposed tool's call is a run: starting it, and reading its ended run as the tool's result. Shared by a plain
// tools/call and one a client asked to run as a task.
import { runToolResult } from '../../core/run-tool-result.js';
import type { RunView } from '../../core/run-story/view.js';
import type { AppContext } from '../context.js';
import { startComponentRun, startPipelineRun } from '../services/runs.js';
import type { ExposedTool } from './harness-server.js';

/** Start the exposed target's run (origin `mcp`): bad inputs throw the API's 400 before anything starts. */
export function startToolRun(ctx: AppContext, tool: ExposedTool, args: Record<string, unknown>) {
  const body = { inputs: args, ...(tool.target.version ? { version: tool.target.version } : {}) };
  return tool.target.kind === 'component'
    ? startComponentRun(ctx, tool.target.name, body, 'mcp')
    : startPipelineRun(ctx, tool.target.name, body, 'mcp');
}

/** An ended run as the tool's result: its typed outputs, or an error result naming how it ended; `_meta` names the run. */
export const toolResult = (view: RunView) =>
  runToolResult({ id: view.id, status: view.status, outputs: view.outputs, error: view.error?.message });
