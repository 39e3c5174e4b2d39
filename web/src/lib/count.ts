// "1 example", "2 examples": a count with its noun, for the views' captions.

/** `n` and the noun, plural unless n is 1 (`plural` for the nouns that do not just take an s). */
export const count = (n: number, noun: string, plural = `${noun}s`): string => `${n} ${n === 1 ? noun : plural}`;
