// Datasets in the ecosystem's formats, in and out: OpenAI Evals JSONL (`input` as text or chat messages, `ideal`)
// and Langfuse dataset items (`input`, `expectedOutput`, `metadata`, `sourceTraceId`). What a format carries that
// an example has no place for is kept in the example's metadata, so an export gives the file back.
import type { ExampleInput, Split } from './dataset-import.js';
import { SpecError, type Problem } from './errors.js';

export const OUTSIDE_FORMATS = ['openai-evals', 'langfuse'] as const;
export type OutsideFormat = (typeof OUTSIDE_FORMATS)[number];

/** The example fields a format's one input and one answer become: the names in the component's signature. */
export interface FieldMap {
  input: string;
  expected: string;
}

/** Where nothing is said: OpenAI Evals' own names, and Langfuse's `input` / `output`. */
export const DEFAULT_FIELDS: Record<OutsideFormat, FieldMap> = {
  'openai-evals': { input: 'input', expected: 'ideal' },
  langfuse: { input: 'input', expected: 'output' },
};

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The JSON values of a JSONL file, or of a JSON array; a line that does not parse is a problem. */
function records(text: string, problems: Problem[]): Array<{ where: string; value: unknown }> {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      return (JSON.parse(trimmed) as unknown[]).map((value, i) => ({ where: `item ${i + 1}`, value }));
    } catch (err) {
      problems.push({ path: 'file', message: `not a valid JSON array: ${(err as Error).message}` });
      return [];
    }
  }
  return text.split(/\r?\n/).flatMap((line, i) => {
    if (!line.trim()) return [];
    try {
      return [{ where: `line ${i + 1}`, value: JSON.parse(line) as unknown }];
    } catch (err) {
      problems.push({ path: `line ${i + 1}`, message: `not valid JSON: ${(err as Error).message}` });
      return [];
    }
  });
}

/** A chat message's text: a string, or the text parts of a content list. */
function messageText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : ''))
      .filter(Boolean)
      .join('\n');
  return undefined;
}

/** An OpenAI Evals `input`: its text (the user messages' text), or why it has none. */
function evalsInput(input: unknown): string | { problem: string } {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return { problem: '"input" must be text or a list of chat messages' };
  const texts = input.filter((m) => isObject(m) && m.role === 'user').map((m) => messageText(m.content));
  if (!texts.length) return { problem: '"input" has no user message' };
  if (texts.some((t) => t === undefined)) return { problem: 'a user message has no text content' };
  return texts.join('\n\n');
}

/**
 * OpenAI Evals JSONL: `{input, ideal}` per line. The input's user messages become `fields.input` (a system prompt
 * is the component's to give; the messages are kept in metadata and exported as they were); `ideal` (text, or a
 * list of acceptable answers, any of which matches) becomes `fields.expected`.
 */
export function parseOpenAiEvals(text: string, split: Split, fields: FieldMap): ExampleInput[] {
  const problems: Problem[] = [];
  const out: ExampleInput[] = [];
  for (const { where, value } of records(text, problems)) {
    if (!isObject(value)) {
      problems.push({ path: where, message: 'needs an object with "input" and "ideal"' });
      continue;
    }
    const input = evalsInput(value.input);
    const ideal = value.ideal;
    const idealOk = typeof ideal === 'string' || (Array.isArray(ideal) && ideal.every((x) => typeof x === 'string'));
    if (typeof input !== 'string') problems.push({ path: `${where}.input`, message: input.problem });
    if (!idealOk) problems.push({ path: `${where}.ideal`, message: '"ideal" must be text or a list of texts' });
    if (typeof input !== 'string' || !idealOk) continue;
    out.push({
      inputs: { [fields.input]: input },
      expected: { [fields.expected]: ideal },
      split,
      ...(Array.isArray(value.input) ? { metadata: { openaiEvals: { input: value.input } } } : {}),
    });
  }
  if (problems.length) throw new SpecError('the OpenAI Evals import was refused; nothing was imported', problems);
  return out;
}

/** What Langfuse keeps on an item besides its input and expected output. */
const LANGFUSE_KEPT = ['id', 'metadata', 'sourceTraceId', 'sourceObservationId', 'status'] as const;

/**
 * Langfuse dataset items (a JSON array, or one per line): an object `input` is the example's inputs, anything else
 * becomes `fields.input`; an object `expectedOutput` its expected answer, anything else `fields.expected`, none an
 * empty one; the item's id, metadata and source trace are kept for the export.
 */
export function parseLangfuse(text: string, split: Split, fields: FieldMap): ExampleInput[] {
  const problems: Problem[] = [];
  const out: ExampleInput[] = [];
  for (const { where, value } of records(text, problems)) {
    if (!isObject(value) || value.input === undefined || value.input === null) {
      problems.push({ path: where, message: 'needs an item with an "input"' });
      continue;
    }
    const expected = value.expectedOutput;
    const kept = Object.fromEntries(LANGFUSE_KEPT.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]));
    const wrapped = {
      ...(isObject(value.input) ? {} : { input: fields.input }),
      ...(expected === undefined || expected === null || isObject(expected) ? {} : { expected: fields.expected }),
    };
    out.push({
      inputs: isObject(value.input) ? value.input : { [fields.input]: value.input },
      expected:
        expected === undefined || expected === null
          ? {}
          : isObject(expected)
            ? expected
            : { [fields.expected]: expected },
      split,
      metadata: { langfuse: { ...kept, ...(Object.keys(wrapped).length ? { wrapped } : {}) } },
    });
  }
  if (problems.length) throw new SpecError('the Langfuse import was refused; nothing was imported', problems);
  return out;
}

type Exported = Pick<ExampleInput, 'inputs' | 'expected'> & { metadata?: Record<string, unknown> | null };

/** The field a one-field format reads: the one named, or the example's only one. */
function onlyField(values: Record<string, unknown>, named: string | undefined, what: string, i: number): string {
  if (named) return named;
  const keys = Object.keys(values);
  if (keys.length === 1) return keys[0]!;
  throw new SpecError('this dataset cannot be exported as OpenAI Evals', [
    {
      path: `example ${i + 1}.${what}`,
      message: `it has the fields ${keys.join(', ') || '(none)'}: name the one to export (${what === 'inputs' ? 'input' : 'expected'}=<field>)`,
    },
  ]);
}

/** OpenAI Evals JSONL: the input as a user message (or the messages it was imported with), the answer as `ideal`. */
export function toOpenAiEvals(examples: Exported[], fields: Partial<FieldMap> = {}): string {
  return examples
    .map((e, i) => {
      const imported = (e.metadata?.openaiEvals as { input?: unknown } | undefined)?.input;
      const input = imported ?? [
        { role: 'user', content: String(e.inputs[onlyField(e.inputs, fields.input, 'inputs', i)] ?? '') },
      ];
      return JSON.stringify({ input, ideal: e.expected[onlyField(e.expected, fields.expected, 'expected', i)] ?? '' });
    })
    .map((line) => `${line}\n`)
    .join('');
}

/** Langfuse items, one per line: inputs and expected answer as they were imported, with the item's id, metadata and trace. */
export function toLangfuse(examples: Exported[]): string {
  return examples
    .map((e) => {
      const kept = (e.metadata?.langfuse ?? {}) as Record<string, unknown> & {
        wrapped?: { input?: string; expected?: string };
      };
      const { wrapped, ...item } = kept;
      const input = wrapped?.input ? e.inputs[wrapped.input] : e.inputs;
      const expectedOutput = wrapped?.expected
        ? e.expected[wrapped.expected]
        : Object.keys(e.expected).length
          ? e.expected
          : null;
      return `${JSON.stringify({ ...item, input, expectedOutput })}\n`;
    })
    .join('');
}
