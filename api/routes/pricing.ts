// GET /api/pricing: the effective table; PUT replaces the user's overrides (USD per million tokens).
import Router from '@koa/router';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { priceTable, putPrices } from '../services/pricing.js';

export function pricingRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/pricing' });
  r.get('/', async (ctx) => (ctx.body = await priceTable(app)));
  r.put('/', async (ctx) => (ctx.body = await putPrices(app, await readJson(ctx))));
  return r;
}
