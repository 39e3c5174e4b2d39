// GET /api/pricing: the effective table; PUT replaces the user's overrides (USD per million tokens).
import Router from '@koa/router';
import { loadPrices, savePrices } from '../../db/price-table.js';
import { DEFAULT_PRICES } from '../../core/pricing.js';
import { audit } from '../../db/repositories/audit.js';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';

export function pricingRoutes(app: AppContext): Router {
  const r = new Router({ prefix: '/api/pricing' });
  r.get('/', async (ctx) => {
    const custom = await loadPrices(app.store);
    ctx.body = { prices: { ...DEFAULT_PRICES, ...custom }, custom };
  });
  r.put('/', async (ctx) => {
    const prices = await savePrices(app.store, (await readJson(ctx)) as Record<string, { input: number; output: number }>);
    await audit(app.store, { actor: 'api', action: 'pricing.update', subject: 'pricing' });
    ctx.body = { prices };
  });
  return r;
}
