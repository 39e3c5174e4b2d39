// The chat adapter's text, as DSPy's ChatAdapter writes it (checked against golden files recorded from
// DSPy 3.4.1): field listing, the structure block with each output's type note, the objective, field
// values, demos (complete and incomplete) and the "respond with the corresponding output fields" turn.
import type { ChatMessage } from './messages.js';
import { typeSchema } from './json-schema.js';
import type { Signature, SignatureField } from './signature.js';
import { typeToString, type FieldType } from './types.js';

export interface Demo {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export const marker = (name: string): string => `[[ ## ${name} ## ]]`;

/** JSON as Python's json.dumps writes it (", " and ": " separators, non-ASCII kept). */
export function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`)
      .join(', ')}}`;
  return JSON.stringify(value ?? null);
}

/** A text in a list of texts, fenced so the model can tell where each one ends. */
const blob = (text: string): string =>
  !/[\n«»]/.test(text) ? `«${text}»` : `«««\n    ${text.replace(/\n/g, '\n    ')}\n»»»`;

/** A field's value in a prompt: text as is, a list of texts numbered, other values as JSON, scalars as Python prints them. */
export function formatValue(type: FieldType, value: unknown): string {
  if (Array.isArray(value) && type.kind === 'str')
    return value.length === 0
      ? 'N/A'
      : value.length === 1
        ? blob(String(value[0]))
        : value.map((v, i) => `[${i + 1}] ${blob(String(v))}`).join('\n');
  if (value !== null && typeof value === 'object') return pyJson(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value === null || value === undefined) return 'None';
  return String(value);
}

function describeFields(fields: SignatureField[]): string {
  return fields
    .map((f, i) => `${i + 1}. \`${f.name}\` (${typeToString(f.type)}): ${f.description ?? ''}`)
    .join('\n')
    .trim();
}

/** What the structure block says an output's value must be, as DSPy's translate_field_type does. */
function typeNote(t: FieldType): string {
  if (t.kind === 'str') return '';
  if (t.kind === 'bool') return 'must be True or False';
  if (t.kind === 'int' || t.kind === 'float') return `must be a single ${t.kind} value`;
  if (t.kind === 'literal')
    return `must exactly match (no extra characters) one of: ${t.values.map((v) => formatValue({ kind: 'json' }, v)).join('; ')}`;
  return `must adhere to the JSON schema: ${pyJson(typeSchema(t))}`;
}

const block = (entries: Array<[string, string]>): string =>
  entries
    .map(([name, value]) => `${marker(name)}\n${value}`)
    .join('\n\n')
    .trim();

function structure({ inputs, outputs }: Signature): string {
  const placeholder = (f: SignatureField, note: string) =>
    `{${f.name}}${note ? `        # note: the value you produce ${note}` : ''}`;
  return [
    'All interactions will be structured in the following way, with the appropriate values filled in.',
    block(inputs.map((f) => [f.name, placeholder(f, '')])),
    block(outputs.map((f) => [f.name, placeholder(f, typeNote(f.type))])),
    `${marker('completed')}\n`,
  ]
    .join('\n\n')
    .trim();
}

/** textwrap.dedent: the common leading whitespace of the non-blank lines goes. */
function dedent(text: string): string {
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length));
  return Number.isFinite(indent)
    ? lines.map((l) => l.slice(Math.min(indent, /^[ \t]*/.exec(l)![0].length))).join('\n')
    : text;
}

/** DSPy's default instructions: the fields the user declared (not those a module adds). */
export function defaultObjective({ inputs, outputs }: Signature): string {
  const names = (fs: SignatureField[]) =>
    fs
      .filter((f) => !f.implicit)
      .map((f) => `\`${f.name}\``)
      .join(', ');
  return `Given the fields ${names(inputs)}, produce the fields ${names(outputs)}.`;
}

export function systemMessage(signature: Signature, instructions: string | undefined): string {
  const objective = ['', ...dedent(instructions ?? defaultObjective(signature)).split(/\r?\n/)].join(
    `\n${' '.repeat(8)}`,
  );
  return [
    `Your input fields are:\n${describeFields(signature.inputs)}`,
    `Your output fields are:\n${describeFields(signature.outputs)}`,
    structure(signature),
    `In adhering to this structure, your objective is: ${objective}`,
  ].join('\n');
}

/** The fields present in `values`, in signature order. */
const present = (fields: SignatureField[], values: Record<string, unknown>) => fields.filter((f) => f.name in values);

export function userContent(
  signature: Signature,
  values: Record<string, unknown>,
  o: { prefix?: string; request?: boolean } = {},
): string {
  const parts = [
    o.prefix ?? '',
    ...present(signature.inputs, values).map((f) => `${marker(f.name)}\n${formatValue(f.type, values[f.name])}`),
  ];
  if (o.request) {
    const fields = signature.outputs.map(
      (f) =>
        `\`${marker(f.name)}\`${f.type.kind === 'str' ? '' : ` (must be formatted as a valid Python ${typeToString(f.type)})`}`,
    );
    parts.push(
      `Respond with the corresponding output fields, starting with the field ${fields.join(', then ')}, and then ending with the marker for \`${marker('completed')}\`.`,
    );
  }
  return parts.join('\n\n').trim();
}

export function assistantContent(signature: Signature, outputs: Record<string, unknown>, missing?: string): string {
  const fields = signature.outputs.filter((f) => f.name in outputs || missing !== undefined);
  return `${block(fields.map((f) => [f.name, f.name in outputs && outputs[f.name] !== undefined ? formatValue(f.type, outputs[f.name]) : missing!]))}\n\n${marker('completed')}\n`;
}

/** Demos as DSPy turns them into few-shot messages: incomplete ones (marked) first, then complete ones. */
export function demoMessages(signature: Signature, demos: Demo[]): ChatMessage[] {
  const has = (d: Demo, f: SignatureField) => (f.name in d.inputs ? d.inputs[f.name] : d.outputs[f.name]) != null;
  const complete = demos.filter((d) => [...signature.inputs, ...signature.outputs].every((f) => has(d, f)));
  const incomplete = demos.filter(
    (d) =>
      !complete.includes(d) &&
      signature.inputs.some((f) => f.name in d.inputs) &&
      signature.outputs.some((f) => f.name in d.outputs),
  );
  return [
    ...incomplete.flatMap((d) => [
      {
        role: 'user' as const,
        content: userContent(signature, d.inputs, {
          prefix: 'This is an example of the task, though some input or output fields are not supplied.',
        }),
      },
      {
        role: 'assistant' as const,
        content: assistantContent(signature, d.outputs, 'Not supplied for this particular example. '),
      },
    ]),
    ...complete.flatMap((d) => [
      { role: 'user' as const, content: userContent(signature, d.inputs) },
      { role: 'assistant' as const, content: assistantContent(signature, d.outputs) },
    ]),
  ];
}
