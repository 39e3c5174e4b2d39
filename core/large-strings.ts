// Finding and replacing a value's large strings, shared by the store (stored_values) and the Temporal
// value codec, which both keep each large string once and leave a reference in its place (ADR 0015).

/** Strings longer than this (in UTF-16 units) are stored once and referred to. */
export const STORED_VALUE_THRESHOLD = 64 * 1024;

/** Every large string in a value (objects and arrays walked). */
export function largeStrings(v: unknown, found: Set<string>): Set<string> {
  if (typeof v === 'string') {
    if (v.length > STORED_VALUE_THRESHOLD) found.add(v);
  } else if (Array.isArray(v)) for (const x of v) largeStrings(x, found);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) largeStrings(x, found);
  return found;
}

/** The value with each string in `refs` replaced by what it maps to (a reference). */
export function replaced(v: unknown, refs: Map<string, unknown>): unknown {
  if (typeof v === 'string') return refs.get(v) ?? v;
  if (Array.isArray(v)) return v.map((x) => replaced(x, refs));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, replaced(x, refs)]));
  return v;
}
