// GET /api/search?q=: the command palette's one lookup (api/services/search.ts).
import Router from '@koa/router';
import type { AppContext } from '../context.js';
import { search } from '../services/search.js';

export function searchRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/search' });
  r.get('/', async (ctx) => (ctx.body = await search(app, ctx.query)));
  return r;
}
