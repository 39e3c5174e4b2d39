// Components and pipelines have the same routes: list, create, get, add a version, run.
import Router from '@koa/router';
import { z } from 'zod';
import { archivedQuery } from '../../core/specs.js';
import { components, pipelines } from '../../db/repositories/versioned.js';
import { readJson } from '../body.js';
import { AppError } from '../errors.js';
import type { AppContext } from '../context.js';
import { startComponentRun, startPipelineRun } from '../services/runs.js';
import { archiveComponent, deleteComponent, deleteComponentVersion, listComponents } from '../services/archive.js';
import { exportDspy, importDspy } from '../services/dspy.js';
import { addComponentVersion, addPipelineVersion, createComponent, createPipeline } from '../services/specs.js';

/** DSPy programs: `program.save()` JSON in, and a component version out in the same format. */
function dspyRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/components' });
  r.post('/import/dspy', async (ctx) => {
    ctx.body = await importDspy(app, await readJson(ctx));
    ctx.status = 201;
  });
  r.get('/:id/dspy', async (ctx) => {
    const version = ctx.query.version === undefined ? undefined : Number(ctx.query.version);
    if (version !== undefined && !(Number.isInteger(version) && version > 0)) throw new AppError(400, 'invalid_request', `version must be a positive whole number, got '${String(ctx.query.version)}'`);
    ctx.body = await exportDspy(app, ctx.params.id!, version);
  });
  return r;
}

/** Archived components are hidden from the list unless asked for; a component is deleted only when nothing uses it. */
function componentArchiveRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/components' });
  r.post('/:id/archive', async (ctx) => (ctx.body = await archiveComponent(app, ctx.params.id!, true)));
  r.post('/:id/unarchive', async (ctx) => (ctx.body = await archiveComponent(app, ctx.params.id!, false)));
  r.delete('/:id', async (ctx) => {
    await deleteComponent(app, ctx.params.id!);
    ctx.status = 204;
  });
  r.delete('/:id/versions/:version', async (ctx) => {
    await deleteComponentVersion(app, ctx.params.id!, z.coerce.number().int().positive().parse(ctx.params.version));
    ctx.status = 204;
  });
  return r;
}

const archivedList = z.object({ archived: archivedQuery });

export function specRoutes(app: AppContext): Router[] {
  const kinds = [
    { prefix: '/api/components', repo: components, create: createComponent, addVersion: addComponentVersion, run: startComponentRun, list: (q: unknown) => listComponents(app, archivedList.parse(q).archived) },
    { prefix: '/api/pipelines', repo: pipelines, create: createPipeline, addVersion: addPipelineVersion, run: startPipelineRun, list: () => pipelines.list(app.store) },
  ] as const;
  return [dspyRoutes(app), componentArchiveRoutes(app), ...kinds.map((k) => {
    const r = new Router({ prefix: k.prefix });
    r.get('/', async (ctx) => (ctx.body = await k.list(ctx.query)));
    r.post('/', async (ctx) => {
      ctx.body = await k.create(app, await readJson(ctx));
      ctx.status = 201;
    });
    r.get('/:id', async (ctx) => (ctx.body = await k.repo.get(app.store, ctx.params.id!)));
    r.get('/:id/versions/:version', async (ctx) => (ctx.body = await k.repo.getVersion(app.store, ctx.params.id!, Number(ctx.params.version))));
    r.post('/:id/versions', async (ctx) => {
      ctx.body = await k.addVersion(app, ctx.params.id!, await readJson(ctx));
      ctx.status = 201;
    });
    r.post('/:id/runs', async (ctx) => {
      ctx.body = await k.run(app, ctx.params.id!, await readJson(ctx));
      ctx.status = 201;
    });
    return r;
  })];
}
