// DSPy programs in and out: what `program.save("x.json")` writes (per predictor: demos, instructions,
// each field's prefix and description in signature order) read into component specs, and written back
// in the same shape so `program.load()` in DSPy takes it.
import { z } from 'zod';
import { SpecError, type Problem } from './errors.js';
import { parseSignature, type Signature, type SignatureField } from './signature.js';
import type { ComponentSpec } from './specs.js';
import { typeToString } from './types.js';

/** The DSPy release whose format this follows (its save() metadata). */
export const DSPY_VERSION = '3.4.1';

const savedField = z.object({ prefix: z.string(), description: z.string() });
const savedPredictor = z.object({
  demos: z.array(z.record(z.string(), z.unknown())).default([]),
  signature: z.object({ instructions: z.string(), fields: z.array(savedField) }),
});
type SavedPredictor = z.infer<typeof savedPredictor>;

/**
 * DSPy's prefix for a field name ("user_query" -> "User Query:", "HTMLParser" -> "HTML Parser:").
 * @example inferPrefix('question') // 'Question:'
 */
export function inferPrefix(name: string): string {
  const snake = name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([a-zA-Z])(\d)/g, '$1_$2')
    .replace(/(\d)([a-zA-Z])/g, '$1_$2');
  const words = snake
    .split('_')
    .map((w) =>
      w && w === w.toUpperCase() && /[A-Z]/.test(w) ? w : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase(),
    );
  return `${words.join(' ')}:`;
}

/** "User Query:" -> "user_query": a field name when the program is all there is to go on. */
const nameOfPrefix = (prefix: string): string =>
  prefix
    .replace(/:.*$/s, '')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '') || 'field';

/** The predictors of a saved program: a lone Predict's state, or one per named predictor. */
function predictorsOf(program: unknown): Array<{ key: string; state: SavedPredictor }> {
  if (!program || typeof program !== 'object' || Array.isArray(program))
    throw new SpecError('invalid DSPy program', [
      { path: 'program', message: 'a program is the JSON object that DSPy save() writes' },
    ]);
  const obj = program as Record<string, unknown>;
  const entries = 'signature' in obj ? [['', obj] as const] : Object.entries(obj).filter(([k]) => k !== 'metadata');
  const out: Array<{ key: string; state: SavedPredictor }> = [];
  const problems: Problem[] = [];
  for (const [key, value] of entries) {
    const parsed = savedPredictor.safeParse(value);
    if (parsed.success) out.push({ key, state: parsed.data });
    else
      problems.push(
        ...parsed.error.issues.map((i) => ({
          path: ['program', key, ...i.path].filter((p) => p !== '').join('.'),
          message: i.message,
        })),
      );
  }
  if (problems.length) throw new SpecError('invalid DSPy program', problems);
  if (!out.length)
    throw new SpecError('invalid DSPy program', [
      { path: 'program', message: 'the program has no predictors (no "signature" and "demos")' },
    ]);
  return out;
}

const quote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const fieldText = (f: SignatureField) =>
  `${f.name}: ${typeToString(f.type)}${f.description ? ` ${quote(f.description)}` : ''}`;
export const signatureText = (sig: Signature): string =>
  `${sig.inputs.map(fieldText).join(', ')} -> ${sig.outputs.map(fieldText).join(', ')}`;

export interface ImportedPredictor {
  /** The predictor's name in the program ('' for a lone Predict, 'predict' in a ChainOfThought). */
  key: string;
  spec: Pick<ComponentSpec, 'kind' | 'signature' | 'instructions' | 'demos' | 'dspy'>;
}

/**
 * Read a saved DSPy program. `signature` names the fields and their types ("question -> answer: int");
 * without it the names come from the prefixes, and only a ChainOfThought (whose reasoning marks where
 * the outputs start) can be read. Throws SpecError naming the problem.
 */
export function importDspyProgram(program: unknown, signature?: string): ImportedPredictor[] {
  return predictorsOf(program).map(({ key, state }) => {
    const fields = state.signature.fields;
    const at = (path: string, message: string) => new SpecError('invalid DSPy program', [{ path, message }]);
    const reasoningAt = fields.findIndex((f) => /^reasoning\b/i.test(f.prefix));
    let sig: Signature;
    if (signature) {
      sig = parseSignature(signature);
      const declared = sig.inputs.length + sig.outputs.length;
      const cot = fields.length === declared + 1 && reasoningAt === sig.inputs.length;
      if (!cot && fields.length !== declared)
        throw at(
          'signature',
          `predictor '${key || 'program'}' has ${fields.length} fields; the signature names ${declared}${reasoningAt >= 0 ? ' (plus reasoning)' : ''}`,
        );
    } else {
      if (reasoningAt < 1)
        throw at(
          'signature',
          `predictor '${key || 'program'}' does not say which of its fields are inputs: give the signature, e.g. "question -> answer"`,
        );
      const field = (f: (typeof fields)[number]): SignatureField => ({
        name: nameOfPrefix(f.prefix),
        type: { kind: 'str' },
      });
      sig = { inputs: fields.slice(0, reasoningAt).map(field), outputs: fields.slice(reasoningAt + 1).map(field) };
    }
    const cot = fields.length === sig.inputs.length + sig.outputs.length + 1;
    const names = [...sig.inputs.map((f) => f.name), ...(cot ? ['reasoning'] : []), ...sig.outputs.map((f) => f.name)];
    // The program's descriptions win over the signature's; DSPy writes "${name}" for none.
    const describe = (f: SignatureField): SignatureField => {
      const saved = fields[names.indexOf(f.name)]!.description;
      return saved && saved !== `\${${f.name}}` ? { ...f, description: saved } : f;
    };
    sig = { inputs: sig.inputs.map(describe), outputs: sig.outputs.map(describe) };
    const inputNames = new Set(sig.inputs.map((f) => f.name));
    const outputNames = new Set([...sig.outputs.map((f) => f.name), ...(cot ? ['reasoning'] : [])]);
    const demos = state.demos.map((d) => ({
      inputs: Object.fromEntries(Object.entries(d).filter(([k]) => inputNames.has(k))),
      outputs: Object.fromEntries(Object.entries(d).filter(([k]) => outputNames.has(k))),
      ...(d.augmented === true ? { augmented: true } : {}),
    }));
    const prefixes = Object.fromEntries(names.map((n, i) => [n, fields[i]!.prefix]));
    return {
      key,
      spec: {
        kind: cot ? 'chain_of_thought' : 'predict',
        signature: signatureText(sig),
        instructions: state.signature.instructions,
        demos,
        dspy: { prefixes },
      },
    };
  });
}

/** DSPy's default instructions for a signature (what Signature("a -> b") carries). */
const defaultInstructions = (sig: Signature) =>
  `Given the fields ${sig.inputs.map((f) => `\`${f.name}\``).join(', ')}, produce the fields ${sig.outputs.map((f) => `\`${f.name}\``).join(', ')}.`;

/**
 * A component as DSPy saves the module it stands for: a ChainOfThought's state under `predict`, a
 * Predict's at the top, with DSPy's save() metadata.
 */
export function exportDspyProgram(spec: ComponentSpec): Record<string, unknown> {
  if (spec.kind === 'react')
    throw new SpecError('cannot export', [
      {
        path: 'kind',
        message: 'a ReAct agent has tools DSPy cannot load from a file; export a predict or chain_of_thought component',
      },
    ]);
  const sig = parseSignature(spec.signature);
  const cot = spec.kind === 'chain_of_thought' && !sig.outputs.some((f) => f.name === 'reasoning');
  const fields: SignatureField[] = [
    ...sig.inputs,
    ...(cot ? [{ name: 'reasoning', type: { kind: 'str' as const } }] : []),
    ...sig.outputs,
  ];
  const state = {
    traces: [],
    train: [],
    demos: (spec.demos ?? []).map((d) => ({ ...d.inputs, ...d.outputs, ...(d.augmented ? { augmented: true } : {}) })),
    signature: {
      instructions: spec.instructions ?? defaultInstructions(sig),
      fields: fields.map((f) => ({
        prefix: spec.dspy?.prefixes?.[f.name] ?? inferPrefix(f.name),
        description: f.description ?? `\${${f.name}}`,
      })),
    },
    lm: null,
  };
  const metadata = { dependency_versions: { python: '3.11', dspy: DSPY_VERSION, cloudpickle: '3.1' } };
  return cot ? { predict: state, metadata } : { ...state, metadata };
}
