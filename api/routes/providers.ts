import Router from '@koa/router';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import * as svc from '../services/providers.js';
import { providerRouter } from './resources.js';

export function providerRoutes(app: AppContext): Router[] {
  const r = new Router({ prefix: '/api/providers' });
  r.get('/', async (ctx) => (ctx.body = await svc.listProviders(app)));
  r.post('/', async (ctx) => {
    ctx.body = await svc.createProvider(app, await readJson(ctx));
    ctx.status = 201;
  });
  const one = providerRouter(app);
  one.get('/', (ctx) => (ctx.body = svc.providerView(app, ctx.state.provider)));
  one.patch('/', async (ctx) => (ctx.body = await svc.updateProvider(app, ctx.state.provider, await readJson(ctx))));
  one.delete('/', async (ctx) => {
    await svc.deleteProvider(app, ctx.state.provider, ctx.query.force === 'true');
    ctx.status = 204;
  });
  one.post('/test', async (ctx) => (ctx.body = await svc.testProvider(app, ctx.state.provider)));
  one.get('/models', async (ctx) => (ctx.body = { models: await svc.providerModels(app, ctx.state.provider) }));
  return [r, one] as Router[];
}
