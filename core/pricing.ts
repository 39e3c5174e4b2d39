// USD per million tokens; a provider's options.pricing overrides or extends this table.
export interface Price {
  input: number;
  output: number;
}

export const DEFAULT_PRICES: Record<string, Price> = {
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-haiku-4-5': { input: 1, output: 5 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-opus-4': { input: 15, output: 75 },
};

/** Longest matching prefix wins, so "gpt-4o-mini-2024-07-18" prices as gpt-4o-mini. */
export function priceFor(model: string, overrides: Record<string, Price> = {}): Price | undefined {
  const table = { ...DEFAULT_PRICES, ...overrides };
  const key = Object.keys(table)
    .filter((k) => model === k || model.startsWith(`${k}-`) || model.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return key ? table[key] : undefined;
}

export function costUsd(
  model: string,
  usage: { inputTokens: number; outputTokens: number },
  overrides?: Record<string, Price>,
): number {
  const price = priceFor(model, overrides);
  if (!price) return 0;
  return (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000;
}
