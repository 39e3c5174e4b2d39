// Adapters, as DSPy has them: the chat adapter (field markers) and the JSON adapter (structured
// output). Each renders a signature + demos + inputs into messages and parses the reply.
import { outputsSchema, type JsonSchema } from './json-schema.js';
import type { ChatMessage } from './messages.js';
import type { Signature, SignatureField } from './signature.js';
import { typeToString, valueMatches, type FieldType } from './types.js';

export interface Demo {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface PredictPrompt {
  signature: Signature;
  instructions?: string | undefined;
  demos?: Demo[] | undefined;
}

const marker = (name: string): string => `[[ ## ${name} ## ]]`;

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function describeFields(fields: SignatureField[]): string {
  return fields
    .map((f, i) => `${i + 1}. \`${f.name}\` (${typeToString(f.type)})${f.description ? `: ${f.description}` : ''}`)
    .join('\n');
}

function renderFields(fields: SignatureField[], values: Record<string, unknown>): string {
  return fields.map((f) => `${marker(f.name)}\n${formatValue(values[f.name])}`).join('\n\n');
}

function outputRequest(outputs: SignatureField[]): string {
  const order = outputs.map((f) => `\`${marker(f.name)}\``).join(', then ');
  return `Respond with the corresponding output fields, starting with the field ${order}, and then ending with the marker for \`${marker('completed')}\`.`;
}

function defaultObjective({ inputs, outputs }: Signature): string {
  return `Given the fields ${inputs.map((f) => `\`${f.name}\``).join(', ')}, produce the fields ${outputs.map((f) => `\`${f.name}\``).join(', ')}.`;
}

/** Demos as few-shot turns: the inputs as the user's, the outputs (in the adapter's format) as the model's. */
function demoTurns(p: PredictPrompt, formatOutputs: (outputs: Record<string, unknown>) => string): ChatMessage[] {
  return (p.demos ?? []).flatMap((demo) => [
    { role: 'user' as const, content: renderFields(p.signature.inputs, demo.inputs) },
    { role: 'assistant' as const, content: formatOutputs(demo.outputs) },
  ]);
}

function systemMessage(p: PredictPrompt): string {
  const { inputs, outputs } = p.signature;
  const skeleton = [...inputs, ...outputs].map((f) => `${marker(f.name)}\n{${f.name}}`).join('\n\n');
  const objective = p.instructions ?? defaultObjective(p.signature);
  return [
    `Your input fields are:\n${describeFields(inputs)}`,
    `Your output fields are:\n${describeFields(outputs)}`,
    `All interactions will be structured in the following way, with the appropriate values filled in.\n\n${skeleton}\n\n${marker('completed')}`,
    `In adhering to this structure, your objective is: ${objective}`,
  ].join('\n\n');
}

/** Render the messages for one Predict call; demos become few-shot user/assistant turns. */
export function renderPredict(p: PredictPrompt, inputs: Record<string, unknown>): ChatMessage[] {
  const { signature } = p;
  const messages: ChatMessage[] = [{ role: 'system', content: systemMessage(p) }, ...demoTurns(p, (o) => `${renderFields(signature.outputs, o)}\n\n${marker('completed')}`)];
  messages.push({
    role: 'user',
    content: `${renderFields(signature.inputs, inputs)}\n\n${outputRequest(signature.outputs)}`,
  });
  return messages;
}

export class OutputParseError extends Error {
  constructor(
    message: string,
    readonly raw: string,
  ) {
    super(message);
    this.name = 'OutputParseError';
  }
}

export type AdapterKind = 'chat' | 'json';

function coerce(raw: string, type: FieldType): { ok: true; value: unknown } | { ok: false } {
  const text = raw.trim();
  let value: unknown = text;
  switch (type.kind) {
    case 'str':
      return { ok: true, value: text };
    case 'int':
    case 'float':
      value = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
      break;
    case 'bool':
      value = /^true$/i.test(text) ? true : /^false$/i.test(text) ? false : undefined;
      break;
    case 'literal': {
      const unquoted = text.replace(/^(['"])(.*)\1$/, '$2');
      const hit = type.values.find((v) => String(v) === unquoted);
      return hit === undefined ? { ok: false } : { ok: true, value: hit };
    }
    default:
      try {
        value = JSON.parse(text);
      } catch {
        return { ok: false };
      }
  }
  return valueMatches(value, type) ? { ok: true, value } : { ok: false };
}

/** Parse a reply in the field-marker format and validate every output against its type. */
export function parsePredict(signature: Signature, text: string): Record<string, unknown> {
  const sections = new Map<string, string>();
  const re = /\[\[ ## (\w+) ## \]\]/g;
  let match: RegExpExecArray | null;
  let current: { name: string; start: number } | undefined;
  while ((match = re.exec(text)) !== null) {
    if (current && !sections.has(current.name)) sections.set(current.name, text.slice(current.start, match.index));
    current = { name: match[1]!, start: match.index + match[0].length };
  }
  if (current && !sections.has(current.name)) sections.set(current.name, text.slice(current.start));

  const outputs: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const field of signature.outputs) {
    const raw = sections.get(field.name);
    if (raw === undefined) {
      problems.push(`missing field '${field.name}'`);
      continue;
    }
    const result = coerce(raw, field.type);
    if (result.ok) outputs[field.name] = result.value;
    else problems.push(`field '${field.name}' is not a valid ${typeToString(field.type)}: ${JSON.stringify(raw.trim().slice(0, 80))}`);
  }
  if (problems.length) throw new OutputParseError(`could not parse the model's reply: ${problems.join('; ')}`, text);
  return outputs;
}

/** The reply a model should give for these outputs (used by fakes and demos). */
export function formatPredictReply(outputs: Record<string, unknown>): string {
  return `${Object.entries(outputs)
    .map(([k, v]) => `${marker(k)}\n${formatValue(v)}`)
    .join('\n\n')}\n\n${marker('completed')}`;
}

function jsonSystemMessage(p: PredictPrompt): string {
  const { inputs, outputs } = p.signature;
  const objective = p.instructions ?? defaultObjective(p.signature);
  return [
    `Your input fields are:\n${describeFields(inputs)}`,
    `Your output fields are:\n${describeFields(outputs)}`,
    `Answer with one JSON object whose keys are ${outputs.map((f) => `"${f.name}"`).join(', ')}, and nothing else.`,
    `Your objective is: ${objective}`,
  ].join('\n\n');
}

/** Render for structured output: inputs as field markers, outputs asked for as one JSON object. */
export function renderJson(p: PredictPrompt, inputs: Record<string, unknown>): ChatMessage[] {
  const { signature } = p;
  const messages: ChatMessage[] = [{ role: 'system', content: jsonSystemMessage(p) }, ...demoTurns(p, (o) => JSON.stringify(o))];
  messages.push({ role: 'user', content: renderFields(signature.inputs, inputs) });
  return messages;
}

/** Parse a JSON reply (tolerating text around the object) and validate every output. */
export function parseJson(signature: Signature, text: string): Record<string, unknown> {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  let value: unknown;
  try {
    value = JSON.parse(start >= 0 && end > start ? text.slice(start, end + 1) : text);
  } catch (err) {
    throw new OutputParseError(`could not parse the model's reply as JSON: ${(err as Error).message}`, text);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new OutputParseError("the model's reply is not a JSON object", text);
  const obj = value as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const field of signature.outputs) {
    if (!(field.name in obj)) {
      problems.push(`missing field '${field.name}'`);
      continue;
    }
    let v = obj[field.name];
    // Models often quote numbers and booleans; accept what coerces cleanly.
    if (typeof v === 'string' && field.type.kind !== 'str' && field.type.kind !== 'literal') {
      const c = coerce(v, field.type);
      if (c.ok) v = c.value;
    }
    if (valueMatches(v, field.type)) outputs[field.name] = v;
    else problems.push(`field '${field.name}' is not a valid ${typeToString(field.type)}: ${JSON.stringify(v)?.slice(0, 80)}`);
  }
  if (problems.length) throw new OutputParseError(`could not parse the model's reply: ${problems.join('; ')}`, text);
  return outputs;
}

export interface RenderedCall {
  messages: ChatMessage[];
  /** Set for the JSON adapter: providers turn it into their structured-output option. */
  jsonSchema?: JsonSchema;
}

export function renderCall(adapter: AdapterKind, p: PredictPrompt, inputs: Record<string, unknown>): RenderedCall {
  return adapter === 'json' ? { messages: renderJson(p, inputs), jsonSchema: outputsSchema(p.signature) } : { messages: renderPredict(p, inputs) };
}

export function parseReply(adapter: AdapterKind, signature: Signature, text: string): Record<string, unknown> {
  return adapter === 'json' ? parseJson(signature, text) : parsePredict(signature, text);
}

/** The one retry after a parse failure: the model sees its reply and what was wrong with it. */
export function retryMessages(messages: ChatMessage[], reply: string, error: string, adapter: AdapterKind): ChatMessage[] {
  const how = adapter === 'json' ? 'Answer again with one valid JSON object with every output field.' : 'Answer again, with every output field in the [[ ## field ## ]] format, ending with [[ ## completed ## ]].';
  return [...messages, { role: 'assistant', content: reply }, { role: 'user', content: `Your answer could not be used: ${error}. ${how}` }];
}
