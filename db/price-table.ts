// The price table users edit (PUT /api/pricing), stored in the meta table and merged over the defaults.
import { z } from 'zod';
import { DEFAULT_PRICES, type Price } from '../core/pricing.js';
import type { Store } from './knex.js';
import { getMeta, setMeta } from './repositories/audit.js';

export const priceTable = z.record(
  z.string().min(1),
  z.strictObject({ input: z.number().min(0), output: z.number().min(0) }),
);

let cache: { at: number; store: Store; prices: Record<string, Price> } | undefined;

/** The user's table (without the defaults); re-read at most every few seconds. */
export async function loadPrices(store: Store): Promise<Record<string, Price>> {
  if (cache && cache.store === store && Date.now() - cache.at < 5000) return cache.prices;
  const raw = await getMeta(store, 'pricing');
  const prices = raw ? priceTable.parse(JSON.parse(raw)) : {};
  cache = { at: Date.now(), store, prices };
  return prices;
}

export async function savePrices(store: Store, prices: Record<string, Price>): Promise<Record<string, Price>> {
  await setMeta(store, 'pricing', JSON.stringify(priceTable.parse(prices)));
  cache = undefined;
  return { ...DEFAULT_PRICES, ...prices };
}
