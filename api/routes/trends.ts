// Trends where the object lives: a component's or pipeline's versions over time, and an eval against the one before.
import type Router from '@koa/router';
import type { AppContext } from '../context.js';
import { previousEval, targetTrends } from '../services/trends.js';
import { headRouter, runRouter } from './resources.js';

export function trendRoutes(app: AppContext): Router[] {
  const routers = (['component', 'pipeline'] as const).map((kind) => {
    const r = headRouter(app, kind);
    r.get('/trends', async (ctx) => (ctx.body = await targetTrends(app, kind, ctx.state.head)));
    return r;
  });
  const previous = runRouter(app, '/api/evals/:id/previous');
  previous.get('/', async (ctx) => (ctx.body = await previousEval(app, ctx.state.run)));
  return [...routers, previous] as Router[];
}
