// Archive (hidden from lists until a filter asks, reversible) and delete runs and components (issue 29).
// A run is deleted only when it is over, with the runs under it (an eval's examples, an optimizer's trials) and
// everything they stored. A component is deleted, all its versions, only when nothing refers to it: no pipeline
// version names it (by name, number or label), no app targets it, it is not exposed over MCP. Runs keep their own
// record of what they ran, so deleting a component leaves their history readable.
import fs from 'node:fs';
import path from 'node:path';
import { terminalStatuses, type ArchivedFilter } from '../../core/specs.js';
import { audit } from '../../db/repositories/audit.js';
import * as runs from '../../db/repositories/runs.js';
import { components } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { runView } from './run-view.js';

export async function archiveRun(ctx: AppContext, id: string, archived: boolean) {
  await runs.getRun(ctx.store, id);
  await runs.setRunArchived(ctx.store, id, archived);
  await audit(ctx.store, { actor: 'api', action: archived ? 'run.archive' : 'run.unarchive', subject: id });
  return runView(ctx, id);
}

export async function deleteRun(ctx: AppContext, id: string): Promise<void> {
  const family = await runs.runFamily(ctx.store, id);
  const active = family.find((r) => !terminalStatuses.includes(r.status));
  if (active) {
    const which = active.id === id ? `run '${id}'` : `its run '${active.id}'`;
    const how = active.kind === 'chat' ? 'close the chat (or delete it from the Chat page)' : 'cancel it';
    throw new AppError(409, 'run_active', `cannot delete run '${id}': ${which} is ${active.status}; ${how} first`, { status: active.status });
  }
  const ids = family.map((r) => r.id);
  await runs.deleteRuns(ctx.store, ids);
  // Files last: a failed delete leaves the rows and their files together.
  for (const runId of ids) fs.rmSync(path.join(ctx.config.paths.artifacts, runId), { recursive: true, force: true });
  await audit(ctx.store, { actor: 'api', action: 'run.delete', subject: id, details: { runs: ids.length } });
}

/** The components' list, archived ones left out unless asked for; each says when it was archived. */
export async function listComponents(ctx: AppContext, archived: ArchivedFilter) {
  const marks = new Map(((await ctx.store.knex('components').whereNotNull('archivedAt').select('id', 'archivedAt')) as Array<{ id: string; archivedAt: string }>).map((r) => [r.id, r.archivedAt]));
  const all = (await components.list(ctx.store)).map((c) => ({ ...c, archivedAt: marks.get(c.id) ?? null }));
  return all.filter((c) => (archived === 'include' ? true : archived === 'only' ? c.archivedAt !== null : c.archivedAt === null));
}

export async function archiveComponent(ctx: AppContext, idOrName: string, archived: boolean) {
  const c = await components.get(ctx.store, idOrName);
  const archivedAt = archived ? new Date().toISOString() : null;
  await ctx.store.knex('components').where('id', c.id).update({ archivedAt });
  await audit(ctx.store, { actor: 'api', action: archived ? 'component.archive' : 'component.unarchive', subject: c.name });
  return { ...c, archivedAt };
}

const refName = (ref: unknown) => (typeof ref === 'string' ? ref.split('@')[0] : undefined);
const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/** What refers to a component: the pipelines whose versions name it, the apps that target it, an MCP exposure. */
async function componentUsers(ctx: AppContext, name: string) {
  const db = ctx.store.knex;
  const pipelineRows = (await db('pipelineVersions').join('pipelines', 'pipelines.id', 'pipelineVersions.parentId').select('pipelines.name', 'pipelineVersions.spec')) as Array<{ name: string; spec: unknown }>;
  const pipelines = pipelineRows.filter((r) => parse<{ steps?: Array<{ component?: string }> }>(r.spec).steps?.some((s) => refName(s.component) === name)).map((r) => r.name);
  const appRows = (await db('appVersions').join('apps', 'apps.id', 'appVersions.parentId').select('apps.name', 'appVersions.spec')) as Array<{ name: string; spec: unknown }>;
  const apps = appRows.filter((r) => { const t = parse<{ target?: { kind?: string; name?: string } }>(r.spec).target; return t?.kind !== 'pipeline' && refName(t?.name) === name; }).map((r) => r.name);
  const exposed = !!(await db('mcpExposures').where({ kind: 'component', name }).first());
  return { pipelines: [...new Set(pipelines)].sort(), apps: [...new Set(apps)].sort(), exposed };
}

export async function deleteComponent(ctx: AppContext, idOrName: string): Promise<void> {
  const c = await components.get(ctx.store, idOrName);
  const users = await componentUsers(ctx, c.name);
  const reasons = [
    ...users.pipelines.map((p) => `pipeline '${p}' uses it`),
    ...users.apps.map((a) => `app '${a}' targets it`),
    ...(users.exposed ? ['it is exposed over MCP (harness mcp unexpose)'] : []),
  ];
  if (reasons.length) throw new AppError(409, 'in_use', `cannot delete component '${c.name}': ${reasons.join('; ')}. Archive it to hide it instead`, users);
  await ctx.store.knex.transaction(async (trx) => {
    await trx('labels').where({ kind: 'component', parentId: c.id }).del();
    await trx('labelMoves').where({ kind: 'component', parentId: c.id }).del();
    // Its versions go with it (on delete cascade).
    await trx('components').where('id', c.id).del();
  });
  await audit(ctx.store, { actor: 'api', action: 'component.delete', subject: c.name, details: { versions: c.latestVersion } });
}
