// The step cache's key: everything that decides a call's outputs, canonically serialized and hashed.
import crypto from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
import type { ComponentSpec } from '../core/specs.js';

/** The model is the one actually called (a provider's default counts), so a changed default misses. */
export function stepCacheKey(c: {
  ref: string;
  spec: ComponentSpec;
  model: string | undefined;
  adapter: string;
  inputs: Record<string, unknown>;
  /** An eval's repeat N > 0: a separate sample of the same call (absent for every other call, so their keys stay). */
  sample?: number;
}): string {
  const { spec } = c;
  const parts = {
    ref: c.ref,
    kind: spec.kind,
    signature: spec.signature,
    instructions: spec.instructions ?? null,
    demos: spec.demos ?? [],
    provider: spec.provider,
    model: c.model ?? null,
    params: { temperature: spec.params?.temperature ?? null, maxTokens: spec.params?.maxTokens ?? null },
    adapter: c.adapter,
    inputs: c.inputs,
    ...(c.sample ? { sample: c.sample } : {}),
    // Only a text-template component has one: every other call's key stays what it was.
    ...(spec.template !== undefined ? { template: spec.template } : {}),
  };
  return crypto.createHash('sha256').update(canonicalJson(parts)).digest('hex');
}
