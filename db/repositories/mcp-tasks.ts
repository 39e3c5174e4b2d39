// MCP tasks: which runs a client started as tasks, and until when each stays fetchable.
import type { Store } from '../knex.js';

export interface McpTaskRow {
  runId: string;
  tool: string;
  createdAt: string;
  ttlMs: number;
  expiresAt: string;
  cancelledAt: string | null;
}

const asRow = (r: McpTaskRow): McpTaskRow => ({ ...r, ttlMs: Number(r.ttlMs) });

export async function addTask(store: Store, t: { runId: string; tool: string; ttlMs: number; now?: Date }) {
  const created = t.now ?? new Date();
  const row: McpTaskRow = {
    runId: t.runId,
    tool: t.tool,
    createdAt: created.toISOString(),
    ttlMs: t.ttlMs,
    expiresAt: new Date(created.getTime() + t.ttlMs).toISOString(),
    cancelledAt: null,
  };
  await store.knex('mcp_tasks').insert(row);
  return row;
}

/** The task, unless there is none or its retention has passed. */
export async function findTask(store: Store, runId: string, now = new Date()): Promise<McpTaskRow | undefined> {
  const row = await store.knex('mcp_tasks').where({ runId }).where('expiresAt', '>', now.toISOString()).first();
  return row ? asRow(row) : undefined;
}

/** Live tasks, newest first, `limit` after the `after` one (a run id, the cursor a page hands on). */
export async function listTasks(store: Store, o: { after?: string; limit: number; now?: Date }) {
  const now = (o.now ?? new Date()).toISOString();
  const q = store.knex('mcp_tasks').where('expiresAt', '>', now);
  if (o.after) {
    const from = await store.knex('mcp_tasks').where({ runId: o.after }).first('createdAt', 'runId');
    if (!from) return undefined;
    q.where((w) =>
      w
        .where('createdAt', '<', from.createdAt)
        .orWhere((same) => same.where('createdAt', from.createdAt).andWhere('runId', '<', from.runId)),
    );
  }
  const rows = (await q
    .orderBy([
      { column: 'createdAt', order: 'desc' },
      { column: 'runId', order: 'desc' },
    ])
    .limit(o.limit)) as McpTaskRow[];
  return rows.map(asRow);
}

export async function markCancelled(store: Store, runId: string): Promise<void> {
  await store
    .knex('mcp_tasks')
    .where({ runId })
    .whereNull('cancelledAt')
    .update({ cancelledAt: new Date().toISOString() });
}

/** Tasks past their retention stop being tasks; their runs stay. */
export async function forgetExpired(store: Store, now = new Date()): Promise<number> {
  return store.knex('mcp_tasks').where('expiresAt', '<=', now.toISOString()).del();
}
