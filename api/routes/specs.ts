// Components and pipelines have the same routes: list, create, get, add a version, run.
import Router from '@koa/router';
import { components, pipelines } from '../../db/repositories/versioned.js';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { startComponentRun, startPipelineRun } from '../services/runs.js';
import { addComponentVersion, addPipelineVersion, createComponent, createPipeline } from '../services/specs.js';

export function specRoutes(app: AppContext): Router[] {
  const kinds = [
    { prefix: '/api/components', repo: components, create: createComponent, addVersion: addComponentVersion, run: startComponentRun },
    { prefix: '/api/pipelines', repo: pipelines, create: createPipeline, addVersion: addPipelineVersion, run: startPipelineRun },
  ] as const;
  return kinds.map((k) => {
    const r = new Router({ prefix: k.prefix });
    r.get('/', async (ctx) => (ctx.body = await k.repo.list(app.store)));
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
  });
}
