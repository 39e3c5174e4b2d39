// The step cache's key: everything that decides a call's outputs, canonically serialized and hashed.
import crypto from 'node:crypto';
import type { ComponentSpec } from '../core/specs.js';

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x)) ?? 'null';

/** The model is the one actually called (a provider's default counts), so a changed default misses. */
export function stepCacheKey(c: { ref: string; spec: ComponentSpec; model: string | undefined; adapter: string; inputs: Record<string, unknown> }): string {
  const { spec } = c;
  const parts = { ref: c.ref, kind: spec.kind, signature: spec.signature, instructions: spec.instructions ?? null, demos: spec.demos ?? [], provider: spec.provider, model: c.model ?? null, params: { temperature: spec.params?.temperature ?? null, maxTokens: spec.params?.maxTokens ?? null }, adapter: c.adapter, inputs: c.inputs };
  return crypto.createHash('sha256').update(canonical(parts)).digest('hex');
}
