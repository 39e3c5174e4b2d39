// Archive (hidden from lists until a filter asks, reversible) and delete runs and components (issue 29).
// A run is deleted only when it is over, with the runs under it (an eval's examples, an optimizer's trials) and
// everything they stored. A component is deleted, all its versions, only when nothing refers to it: no pipeline
// version names it (by name, number or label), no app targets it, it is not exposed over MCP. One version goes when it
// is not the latest and no pipeline version pins it, no app targets it, no exposure or label names it. Runs keep their
// own record of what they ran, so a delete leaves their history readable.
import fs from 'node:fs';
import path from 'node:path';
import { refName, versionRef } from '../../core/run-story/ids.js';
import { terminalStatuses } from '../../core/run-story/status.js';
import type { ArchivedFilter } from '../../core/specs.js';
import { audit } from '../../db/repositories/audit.js';
import type { RunRow } from '../../db/models/run.js';
import * as runs from '../../db/repositories/runs.js';
import { components } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { runView } from './run-view.js';
import type { Head } from './versioned.js';

/** Only a finished run is archived: a run under way (an approval waiting, an app's rate count) stays in every list. */
export async function archiveRun(ctx: AppContext, run: RunRow, archived: boolean) {
  const id = run.id;
  if (archived && !terminalStatuses.includes(run.status))
    throw new AppError(
      409,
      'run_active',
      `cannot archive run '${id}': it is ${run.status}; archive it once it has ended`,
      { status: run.status },
    );
  await runs.setRunArchived(ctx.store, id, archived);
  await audit(ctx.store, { actor: 'api', action: archived ? 'run.archive' : 'run.unarchive', subject: id });
  return runView(ctx, id);
}

export async function deleteRun(ctx: AppContext, run: RunRow): Promise<void> {
  const id = run.id;
  const family = await runs.runFamily(ctx.store, id);
  const active = family.find((r) => !terminalStatuses.includes(r.status));
  if (active) {
    const which = active.id === id ? `run '${id}'` : `its run '${active.id}'`;
    const how = active.kind === 'chat' ? 'close the chat (or delete it from the Chat page)' : 'cancel it';
    throw new AppError(409, 'run_active', `cannot delete run '${id}': ${which} is ${active.status}; ${how} first`, {
      status: active.status,
    });
  }
  const ids = family.map((r) => r.id);
  await runs.deleteRuns(ctx.store, ids);
  // Files last: a failed delete leaves the rows and their files together.
  for (const runId of ids) fs.rmSync(path.join(ctx.config.paths.artifacts, runId), { recursive: true, force: true });
  await audit(ctx.store, { actor: 'api', action: 'run.delete', subject: id, details: { runs: ids.length } });
}

/** The components' list, archived ones left out unless asked for; each says when it was archived. */
export async function listComponents(ctx: AppContext, archived: ArchivedFilter) {
  const marks = new Map(
    (
      (await ctx.store.knex('components').whereNotNull('archivedAt').select('id', 'archivedAt')) as Array<{
        id: string;
        archivedAt: string;
      }>
    ).map((r) => [r.id, r.archivedAt]),
  );
  const all = (await components.list(ctx.store)).map((c) => ({ ...c, archivedAt: marks.get(c.id) ?? null }));
  return all.filter((c) =>
    archived === 'include' ? true : archived === 'only' ? c.archivedAt !== null : c.archivedAt === null,
  );
}

export async function archiveComponent(ctx: AppContext, head: Head, archived: boolean) {
  const c = await components.get(ctx.store, head.id);
  const archivedAt = archived ? new Date().toISOString() : null;
  await ctx.store.knex('components').where('id', c.id).update({ archivedAt });
  await audit(ctx.store, {
    actor: 'api',
    action: archived ? 'component.archive' : 'component.unarchive',
    subject: c.name,
  });
  return { ...c, archivedAt };
}

const nameOf = (ref: unknown) => (typeof ref === 'string' ? refName(ref) : undefined);
const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

/**
 * What refers to a component (or to one of its versions): the pipelines whose versions name it (or pin or name that
 * version), the apps that target it, an MCP exposure, the labels on that version.
 */
async function componentUsers(ctx: AppContext, c: { id: string; name: string }, version?: number) {
  const db = ctx.store.knex;
  const uses = (spec: unknown, pins: unknown) => {
    const steps = parse<{ steps?: Array<{ component?: string }> }>(spec).steps ?? [];
    if (version === undefined) return steps.some((s) => nameOf(s.component) === c.name);
    return (
      parse<Record<string, number> | null>(pins)?.[c.name] === version ||
      steps.some((s) => s.component === versionRef(c.name, version))
    );
  };
  const pipelineRows = (await db('pipelineVersions')
    .join('pipelines', 'pipelines.id', 'pipelineVersions.parentId')
    .select('pipelines.name', 'pipelineVersions.spec', 'pipelineVersions.pins')) as Array<{
    name: string;
    spec: unknown;
    pins: unknown;
  }>;
  const pipelines = pipelineRows.filter((r) => uses(r.spec, r.pins)).map((r) => r.name);
  const appRows = (await db('appVersions')
    .join('apps', 'apps.id', 'appVersions.parentId')
    .select('apps.name', 'appVersions.spec')) as Array<{ name: string; spec: unknown }>;
  const targets = (spec: unknown) => {
    const t = parse<{ target?: { kind?: string; name?: string; version?: number } }>(spec).target;
    return t?.kind !== 'pipeline' && nameOf(t?.name) === c.name && (version === undefined || t?.version === version);
  };
  const apps = appRows.filter((r) => targets(r.spec)).map((r) => r.name);
  const exposure = db('mcpExposures').where({ kind: 'component', name: c.name });
  const exposed = !!(await (version === undefined ? exposure : exposure.where('version', version)).first());
  const labels =
    version === undefined
      ? []
      : (
          (await db('labels').where({ kind: 'component', parentId: c.id, version }).select('label')) as Array<{
            label: string;
          }>
        ).map((l) => l.label);
  return { pipelines: [...new Set(pipelines)].sort(), apps: [...new Set(apps)].sort(), exposed, labels };
}

/** Refuse with 409 `in_use`, naming every user, unless nothing uses it. */
function refuseInUse(what: string, users: Awaited<ReturnType<typeof componentUsers>>): void {
  const reasons = [
    ...users.pipelines.map((p) => `pipeline '${p}' uses it`),
    ...users.apps.map((a) => `app '${a}' targets it`),
    ...(users.exposed ? ['it is exposed over MCP (harness mcp unexpose)'] : []),
    ...users.labels.map((l) => `label '${l}' points at it`),
  ];
  if (reasons.length)
    throw new AppError(
      409,
      'in_use',
      `cannot delete ${what}: ${reasons.join('; ')}. Archive it to hide it instead`,
      users,
    );
}

export async function deleteComponent(ctx: AppContext, c: Head): Promise<void> {
  refuseInUse(`component '${c.name}'`, await componentUsers(ctx, c));
  await ctx.store.knex.transaction(async (trx) => {
    await trx('labels').where({ kind: 'component', parentId: c.id }).del();
    await trx('labelMoves').where({ kind: 'component', parentId: c.id }).del();
    // Its versions go with it (on delete cascade).
    await trx('components').where('id', c.id).del();
  });
  await audit(ctx.store, {
    actor: 'api',
    action: 'component.delete',
    subject: c.name,
    details: { versions: c.latestVersion },
  });
}

/** One version, when it is not the latest (what a bare name resolves to; its number is never given again) and nothing pins it. */
export async function deleteComponentVersion(ctx: AppContext, c: Head, version: number): Promise<void> {
  await components.getVersion(ctx.store, c.id, version);
  if (version === c.latestVersion)
    throw new AppError(
      409,
      'in_use',
      `cannot delete ${versionRef(c.name, version)}: ${versionRef(c.name, version)} is the latest version (a bare '${c.name}' resolves to it); save a new version first, or delete the component`,
    );
  refuseInUse(versionRef(c.name, version), await componentUsers(ctx, c, version));
  await ctx.store.knex('componentVersions').where({ parentId: c.id, version }).del();
  await audit(ctx.store, { actor: 'api', action: 'component.delete_version', subject: versionRef(c.name, version) });
}
