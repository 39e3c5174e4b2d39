// GET /api/overview?window=hour|day|week|30d&target=&provider=&model=&origin= : the dashboard's first page.
import Router from '@koa/router';
import type { AppContext } from '../context.js';
import { overview } from '../services/overview.js';

export function overviewRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/overview' });
  r.get('/', async (ctx) => (ctx.body = await overview(app, ctx.query)));
  return r;
}
