// Signatures as DSPy 3.4.1 has them: its verdict on each string (recorded by test/fixtures/dspy/record.py),
// the type names it renders, pydantic's JSON Schema for each type, and a sample output of every type
// validated by that schema (ajv), by our own check, and through the chat adapter's parser.
import fs from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parsePredict } from '../../core/adapters.js';
import { formatValue, marker } from '../../core/chat-format.js';
import { typeSchema } from '../../core/json-schema.js';
import { parseSignature, parseTypeExpr, type Signature } from '../../core/signature.js';
import { typeToString, valueMatches, type FieldType } from '../../core/types.js';

interface Verdict {
  signature: string;
  accepted: boolean;
  error?: string;
  fields?: Array<{ name: string; side: 'input' | 'output'; type: string; schema: unknown }>;
}
const load = (f: string) => JSON.parse(fs.readFileSync(`test/fixtures/dspy/${f}`, 'utf8')) as Verdict[];
const corpus = load('signatures.json');
const heldout = load('signatures-heldout.json');

/** Where the project differs from DSPy on purpose (docs/components.md says why). */
const DIFFERENCES: Record<string, string> = {
  'a, a -> b': 'a field named twice is refused (DSPy keeps one silently)',
  '-> b': 'a side with no fields is refused',
  'a ->': 'a side with no fields is refused',
  'a: list[str, int] -> b': 'list takes one type argument (DSPy keeps the first for its schema)',
  'a: tuple[()] -> b': 'the empty tuple type is refused',
  'a: None -> b': 'None is NoneType, as in a union (DSPy reads a bare None as no annotation, so str)',
  'x -> neg: Literal[-1, 0, 1]': "negative numbers in a Literal are read (DSPy's string parser cannot)",
  'question: str "what to answer" -> answer: str "a short answer"':
    'descriptions may be written in the string (DSPy takes them only from InputField/OutputField)',
  'a: json -> b': "json is the project's name for Any (DSPy has no such type)",
  'a: complex -> b': 'complex numbers are refused (no JSON form; pydantic writes them as strings)',
};

const tryParse = (text: string): Signature | Error => {
  try {
    return parseSignature(text);
  } catch (err) {
    return err as Error;
  }
};

/** A value of the type, as a model would answer it. */
function sample(t: FieldType): unknown {
  switch (t.kind) {
    case 'str':
      return 'some text';
    case 'bytes':
      return 'Ynl0ZXM=';
    case 'int':
      return 3;
    case 'float':
      return 1.5;
    case 'bool':
      return true;
    case 'none':
      return null;
    case 'json':
      return { any: [1, 'x'] };
    case 'dict':
      return t.key
        ? { [t.key.kind === 'int' ? '7' : t.key.kind === 'literal' ? String(t.key.values[0]) : 'k']: sample(t.value!) }
        : { k: 1 };
    case 'list':
      return [sample(t.of), sample(t.of)];
    case 'set':
      return [sample(t.of)];
    case 'tuple':
      return t.rest ? [sample(t.rest), sample(t.rest)] : t.items.map(sample);
    case 'union':
      return sample(t.of[0]!);
    case 'literal':
      return t.values[t.values.length - 1];
    default:
      return undefined;
  }
}

const ajv = new Ajv2020({ strict: false });

function checkAgainstDspy(v: Verdict, sig: Signature) {
  const ours = [...sig.inputs.map((f) => ({ f, side: 'input' })), ...sig.outputs.map((f) => ({ f, side: 'output' }))];
  expect(ours.map(({ f, side }) => [f.name, side, typeToString(f.type)])).toEqual(
    v.fields!.map((d) => [d.name, d.side, d.type]),
  );
  for (const [i, { f }] of ours.entries()) {
    const theirs = v.fields![i]!;
    // The same schema, key order included: the prompt prints it.
    expect(JSON.stringify(typeSchema(f.type)), `${f.name}: ${theirs.type}`).toBe(JSON.stringify(theirs.schema));
    // The rendered name reads back as the same type (pipelines declare inputs by it).
    expect(JSON.stringify(typeSchema(parseTypeExpr(typeToString(f.type))))).toBe(JSON.stringify(typeSchema(f.type)));
    const value = sample(f.type);
    expect(valueMatches(value, f.type), `${theirs.type} sample ${JSON.stringify(value)}`).toBe(true);
    expect(ajv.validate(theirs.schema as object, value), `${theirs.type}: ${ajv.errorsText()}`).toBe(true);
    if (f.type.kind !== 'json') {
      const wrong = f.type.kind === 'str' || f.type.kind === 'bytes' ? 42 : { wrong: 'shape' };
      // At least as strict as the schema (stricter only where JSON Schema cannot say it: dict[int, V] keys).
      if (!ajv.validate(theirs.schema as object, wrong))
        expect(valueMatches(wrong, f.type), `${theirs.type} took ${JSON.stringify(wrong)}`).toBe(false);
    }
  }
  // Every output, written as the chat adapter writes values, parses back to itself.
  const reply = sig.outputs.map((f) => `${marker(f.name)}\n${formatValue(f.type, sample(f.type))}`).join('\n\n');
  expect(parsePredict(sig, reply)).toEqual(Object.fromEntries(sig.outputs.map((f) => [f.name, sample(f.type)])));
}

describe.each([
  ['the recorded corpus', corpus],
  ['the held-back corpus', heldout],
])('signatures against DSPy: %s', (_name, verdicts) => {
  it.each(verdicts.map((v) => [v.signature, v] as const))('%s', (text, v) => {
    const ours = tryParse(text);
    if (text in DIFFERENCES) {
      const same =
        ours instanceof Error
          ? !v.accepted
          : v.accepted &&
            JSON.stringify([...ours.inputs, ...ours.outputs].map((f) => typeToString(f.type))) ===
              JSON.stringify(v.fields!.map((f) => f.type));
      expect(same, `listed as a difference but agrees with DSPy: ${DIFFERENCES[text]}`).toBe(false);
      return;
    }
    if (!v.accepted) {
      expect(ours, `DSPy refused it: ${v.error}`).toBeInstanceOf(Error);
      expect((ours as Error).message + JSON.stringify((ours as { problems?: unknown }).problems ?? '')).toMatch(
        /position \d+|both an input and an output/,
      );
      return;
    }
    if (ours instanceof Error)
      throw new Error(
        `DSPy accepts it, we refuse it: ${JSON.stringify((ours as { problems?: unknown }).problems ?? ours.message)}`,
      );
    checkAgainstDspy(v, ours);
  });
});

describe('the corpus', () => {
  it('is large enough to mean something', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    expect(corpus.filter((v) => !v.accepted).length).toBeGreaterThanOrEqual(10);
    expect(heldout.length).toBeGreaterThanOrEqual(20);
  });
});
