// MCP tasks backed by runs: a task is the run its tools/call started (task id = run id), so it survives restarts of
// the backend, the worker and Temporal, and cancelling it cancels the workflow. Its result is read from the run.
import type { CreateTaskOptions, TaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import { ErrorCode, McpError, type Request, type Task } from '@modelcontextprotocol/sdk/types.js';
import type { RunView } from '../../core/run-story/view.js';
import {
  addTask,
  findTask,
  forgetExpired,
  listTasks,
  markCancelled,
  type McpTaskRow,
} from '../../db/repositories/mcp-tasks.js';
import * as runs from '../../db/repositories/runs.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { cancelRun, getRunView } from '../services/runs.js';
import type { ExposedTool } from './harness-server.js';
import { startToolRun, toolResult } from './tool-runs.js';

const HOUR = 3_600_000;
/** How long a task's result stays fetchable after it was created: a day unless asked, a minute to 30 days. */
export const TASK_TTL = { defaultMs: 24 * HOUR, minMs: 60_000, maxMs: 30 * 24 * HOUR };
/** How often a client is told to poll: runs report progress as events, a second is fine-grained enough. */
export const TASK_POLL_MS = 1000;
const PAGE = 50;

/** The retention granted for a requested ttl (null, "unlimited", gets the longest). */
export function grantedTtl(requested: number | null | undefined): number {
  if (requested === undefined) return TASK_TTL.defaultMs;
  if (requested === null) return TASK_TTL.maxMs;
  return Math.min(TASK_TTL.maxMs, Math.max(TASK_TTL.minMs, Math.round(requested)));
}

/** The MCP task a run is now. A client's cancel counts at once, while the workflow winds down. */
export function taskOf(row: McpTaskRow, view: RunView): Task {
  const base = {
    taskId: row.runId,
    ttl: row.ttlMs,
    createdAt: row.createdAt,
    lastUpdatedAt: row.cancelledAt ?? view.endedAt ?? view.startedAt ?? view.createdAt,
    pollInterval: TASK_POLL_MS,
  };
  if (row.cancelledAt) return { ...base, status: 'cancelled', statusMessage: 'cancelled by the client' };
  switch (view.status) {
    case 'completed':
      return { ...base, status: 'completed' };
    case 'cancelled':
      return { ...base, status: 'cancelled', statusMessage: 'the run was cancelled' };
    case 'failed':
    case 'timed_out':
      return { ...base, status: 'failed', statusMessage: view.error?.message ?? `the run ${view.status}` };
    case 'waiting_approval':
      return { ...base, status: 'working', statusMessage: "waiting for a person's approval in the dashboard" };
    default:
      return { ...base, status: 'working', statusMessage: `run ${view.status}, ${view.lastSeq + 1} events recorded` };
  }
}

const notFound = (taskId: string) => new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);

export class RunTaskStore implements TaskStore {
  constructor(
    private readonly ctx: AppContext,
    private readonly findTool: (name: string) => Promise<ExposedTool | undefined>,
  ) {}

  /** Start the tool's run and record it as a task; bad inputs throw before anything starts. */
  async createTask(options: CreateTaskOptions, _requestId: unknown, request: Request): Promise<Task> {
    const params = (request.params ?? {}) as { name?: string; arguments?: Record<string, unknown> };
    const tool = await this.findTool(String(params.name));
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `no exposed tool '${params.name}'`);
    const run = await startToolRun(this.ctx, tool, params.arguments ?? {}).catch((err: unknown) => {
      // The caller's inputs were wrong: a protocol error naming the problem (there is no task to report it on).
      throw err instanceof AppError && err.status === 400 ? new McpError(ErrorCode.InvalidParams, err.message) : err;
    });
    await forgetExpired(this.ctx.store);
    const row = await addTask(this.ctx.store, { runId: run.id, tool: tool.name, ttlMs: grantedTtl(options.ttl) });
    return taskOf(row, await getRunView(this.ctx, run.id));
  }

  async getTask(taskId: string): Promise<Task | null> {
    const row = await findTask(this.ctx.store, taskId);
    return row ? taskOf(row, await getRunView(this.ctx, taskId)) : null;
  }

  /** Only a run writes its result; nothing else may. */
  async storeTaskResult(taskId: string): Promise<void> {
    throw new McpError(ErrorCode.InvalidRequest, `task ${taskId}'s result is its run's outputs`);
  }

  async getTaskResult(taskId: string) {
    const row = await findTask(this.ctx.store, taskId);
    if (!row) throw notFound(taskId);
    if (row.cancelledAt)
      return {
        isError: true,
        content: [{ type: 'text' as const, text: `task ${taskId} was cancelled by the client` }],
      };
    return toolResult(await getRunView(this.ctx, taskId));
  }

  /** The one move a client makes: cancel, which cancels the run's workflow. */
  async updateTaskStatus(taskId: string, status: Task['status']): Promise<void> {
    if (status !== 'cancelled') throw new McpError(ErrorCode.InvalidRequest, `a task moves to ${status} by its run`);
    const row = await findTask(this.ctx.store, taskId);
    if (!row) throw notFound(taskId);
    const run = await runs.getRun(this.ctx.store, taskId);
    // The workflow is cancelled first: if that fails the task is not marked, and the client may try again. A run
    // that ended meanwhile (409) keeps how it ended, and the task says so.
    const cancelled = await cancelRun(this.ctx, run).then(
      () => true,
      (err: unknown) => {
        if (err instanceof AppError && err.status === 409) return false;
        throw err;
      },
    );
    if (cancelled) await markCancelled(this.ctx.store, taskId);
  }

  async listTasks(cursor?: string): Promise<{ tasks: Task[]; nextCursor?: string }> {
    const rows = await listTasks(this.ctx.store, { ...(cursor ? { after: cursor } : {}), limit: PAGE + 1 });
    if (!rows) throw new McpError(ErrorCode.InvalidParams, `no task at cursor '${cursor}'`);
    const page = rows.slice(0, PAGE);
    const tasks = await Promise.all(page.map(async (r) => taskOf(r, await getRunView(this.ctx, r.runId))));
    return { tasks, ...(rows.length > PAGE ? { nextCursor: page.at(-1)!.runId } : {}) };
  }
}
