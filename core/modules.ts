// DSPy modules as signature transforms: ChainOfThought asks for `reasoning` before the outputs.
import type { Signature } from './signature.js';
import { parseSignature } from './signature.js';

/** As DSPy's ChainOfThought adds it: a str output before the others, with no description of its own. */
export const REASONING_FIELD = { name: 'reasoning', type: { kind: 'str' as const }, implicit: true as const };

/** The signature a module actually asks the model for. */
export function moduleSignature(spec: { kind?: string | undefined; signature: string }): Signature {
  const sig = parseSignature(spec.signature);
  if (spec.kind !== 'chain_of_thought' || sig.outputs.some((f) => f.name === 'reasoning')) return sig;
  return { inputs: sig.inputs, outputs: [REASONING_FIELD, ...sig.outputs] };
}
