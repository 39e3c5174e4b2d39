import Router from '@koa/router';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import * as svc from '../services/providers.js';

export function providerRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/providers' });
  r.get('/', async (ctx) => (ctx.body = await svc.listProviders(app)));
  r.post('/', async (ctx) => {
    ctx.body = await svc.createProvider(app, await readJson(ctx));
    ctx.status = 201;
  });
  r.get('/:id', async (ctx) => (ctx.body = await svc.getProvider(app, ctx.params.id!)));
  r.patch('/:id', async (ctx) => (ctx.body = await svc.updateProvider(app, ctx.params.id!, await readJson(ctx))));
  r.delete('/:id', async (ctx) => {
    await svc.deleteProvider(app, ctx.params.id!, ctx.query.force === 'true');
    ctx.status = 204;
  });
  r.post('/:id/test', async (ctx) => (ctx.body = await svc.testProvider(app, ctx.params.id!)));
  r.get('/:id/models', async (ctx) => (ctx.body = { models: await svc.providerModels(app, ctx.params.id!) }));
  return r;
}
