// Model prices: the effective table (the defaults under the user's overrides) and replacing the overrides.
import { DEFAULT_PRICES } from '../../core/pricing.js';
import { loadPrices, savePrices } from '../../db/price-table.js';
import { audit } from '../../db/repositories/audit.js';
import type { AppContext } from '../context.js';

export async function priceTable(ctx: AppContext) {
  const custom = await loadPrices(ctx.store);
  return { prices: { ...DEFAULT_PRICES, ...custom }, custom };
}

/** Replace the overrides (USD per million tokens), audited. */
export async function putPrices(ctx: AppContext, body: unknown) {
  const prices = await savePrices(ctx.store, body as Record<string, { input: number; output: number }>);
  await audit(ctx.store, { actor: 'api', action: 'pricing.update', subject: 'pricing' });
  return { prices };
}
