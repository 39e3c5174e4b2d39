// Adapters, as DSPy has them: the chat adapter (field markers) and the JSON adapter (structured
// output). Each renders a signature + demos + inputs into messages and parses the reply.
// The text adapter is a plain prompt template instead (as promptfoo and Langfuse keep prompts).
import {
  defaultObjective,
  demoMessages,
  formatValue,
  marker,
  systemMessage,
  userContent,
  type Demo,
} from './chat-format.js';
import { outputsSchema, type JsonSchema } from './json-schema.js';
import type { ChatMessage } from './messages.js';
import { parsePyLiteral } from './py-literal.js';
import type { Signature, SignatureField } from './signature.js';
import { renderTemplate } from './template.js';
import { typeToString, valueMatches, type FieldType } from './types.js';

export type { Demo } from './chat-format.js';

export interface PredictPrompt {
  signature: Signature;
  instructions?: string | undefined;
  demos?: Demo[] | undefined;
  /** The user message of the text adapter, with `{{ field }}` placeholders. */
  template?: string | undefined;
}

function describeFields(fields: SignatureField[]): string {
  return fields
    .map((f, i) => `${i + 1}. \`${f.name}\` (${typeToString(f.type)})${f.description ? `: ${f.description}` : ''}`)
    .join('\n');
}

function renderFields(fields: SignatureField[], values: Record<string, unknown>): string {
  return fields.map((f) => `${marker(f.name)}\n${formatValue(f.type, values[f.name])}`).join('\n\n');
}

/** Demos as few-shot turns: the inputs as the user's, the outputs (in the adapter's format) as the model's. */
function demoTurns(p: PredictPrompt, formatOutputs: (outputs: Record<string, unknown>) => string): ChatMessage[] {
  return (p.demos ?? []).flatMap((demo) => [
    { role: 'user' as const, content: renderFields(p.signature.inputs, demo.inputs) },
    { role: 'assistant' as const, content: formatOutputs(demo.outputs) },
  ]);
}

/** Render the messages for one Predict call exactly as DSPy's ChatAdapter does (core/chat-format.ts). */
export function renderPredict(p: PredictPrompt, inputs: Record<string, unknown>): ChatMessage[] {
  const { signature } = p;
  return [
    { role: 'system', content: systemMessage(signature, p.instructions) },
    ...demoMessages(signature, p.demos ?? []),
    { role: 'user', content: userContent(signature, inputs, { request: true }) },
  ];
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

export type AdapterKind = 'chat' | 'json' | 'text';

/** A value written as JSON or as a Python literal (DSPy asks for "a valid Python <type>"). */
function readStructured(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    try {
      return { ok: true, value: parsePyLiteral(text) };
    } catch {
      return { ok: false };
    }
  }
}

/** A set arrives as a list: repeats go, as they would in Python. */
function dedupeSets(value: unknown, type: FieldType): unknown {
  if (type.kind === 'set' && Array.isArray(value))
    return value.filter((v, i) => value.findIndex((w) => JSON.stringify(w) === JSON.stringify(v)) === i);
  return value;
}

function coerce(raw: string, type: FieldType): { ok: true; value: unknown } | { ok: false } {
  const text = raw.trim();
  switch (type.kind) {
    case 'str':
    case 'bytes':
      return { ok: true, value: text };
    case 'int':
    case 'float': {
      const value = /^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? Number(text) : NaN;
      return valueMatches(value, type) ? { ok: true, value } : { ok: false };
    }
    case 'bool':
      return /^true$/i.test(text)
        ? { ok: true, value: true }
        : /^false$/i.test(text)
          ? { ok: true, value: false }
          : { ok: false };
    case 'none':
      return /^(none|null)?$/i.test(text) ? { ok: true, value: null } : { ok: false };
    case 'literal': {
      // 'a', "a", Literal['a'] and 2 for Literal[1, 2] all name a member.
      const inner = /^(?:Literal|str)\[(.*)\]$/.exec(text)?.[1] ?? text;
      const unquoted = inner.replace(/^(['"])(.*)\1$/, '$2');
      const hit = type.values.find((v) =>
        v === null
          ? /^(None|null)$/.test(unquoted)
          : String(v) === unquoted || (typeof v === 'boolean' && unquoted === (v ? 'True' : 'False')),
      );
      return hit === undefined ? { ok: false } : { ok: true, value: hit };
    }
    case 'union': {
      for (const m of type.of.filter((m) => m.kind !== 'str')) {
        const c = coerce(text, m);
        if (c.ok) return c;
      }
      return type.of.some((m) => m.kind === 'str') ? { ok: true, value: text } : { ok: false };
    }
    case 'json': {
      const r = readStructured(text);
      return { ok: true, value: r.ok ? r.value : text };
    }
    default: {
      const r = readStructured(text);
      if (!r.ok) return { ok: false };
      const value = dedupeSets(r.value, type);
      return valueMatches(value, type) ? { ok: true, value } : { ok: false };
    }
  }
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
    else
      problems.push(
        `field '${field.name}' is not a valid ${typeToString(field.type)}: ${JSON.stringify(raw.trim().slice(0, 80))}`,
      );
  }
  if (problems.length) throw new OutputParseError(`could not parse the model's reply: ${problems.join('; ')}`, text);
  return outputs;
}

/** The reply a model should give for these outputs (used by fakes and demos). */
export function formatPredictReply(outputs: Record<string, unknown>): string {
  return `${Object.entries(outputs)
    .map(([k, v]) => `${marker(k)}\n${typeof v === 'string' ? v : formatValue({ kind: 'json' }, v)}`)
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
  const messages: ChatMessage[] = [
    { role: 'system', content: jsonSystemMessage(p) },
    ...demoTurns(p, (o) => JSON.stringify(o)),
  ];
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
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new OutputParseError("the model's reply is not a JSON object", text);
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
    if (
      typeof v === 'string' &&
      field.type.kind !== 'str' &&
      field.type.kind !== 'bytes' &&
      field.type.kind !== 'literal'
    ) {
      const c = coerce(v, field.type);
      if (c.ok) v = c.value;
    }
    v = dedupeSets(v, field.type);
    if (valueMatches(v, field.type)) outputs[field.name] = v;
    else
      problems.push(
        `field '${field.name}' is not a valid ${typeToString(field.type)}: ${JSON.stringify(v)?.slice(0, 80)}`,
      );
  }
  if (problems.length) throw new OutputParseError(`could not parse the model's reply: ${problems.join('; ')}`, text);
  return outputs;
}

/** Render for the text adapter: the instructions (if any) as the system message, the filled template as the user's. */
export function renderText(p: PredictPrompt, inputs: Record<string, unknown>): ChatMessage[] {
  if (p.template === undefined) throw new Error("adapter 'text' needs a template");
  return [
    ...(p.instructions ? [{ role: 'system' as const, content: p.instructions }] : []),
    { role: 'user', content: renderTemplate(p.template, inputs) },
  ];
}

/** The whole reply, exactly as it came (graders compare the raw text), as the one output. */
export function parseText(signature: Signature, text: string): Record<string, unknown> {
  const [field, ...more] = signature.outputs;
  if (!field || more.length) throw new Error("adapter 'text' needs exactly one output field");
  return { [field.name]: text };
}

export interface RenderedCall {
  messages: ChatMessage[];
  /** Set for the JSON adapter: providers turn it into their structured-output option. */
  jsonSchema?: JsonSchema;
}

export function renderCall(adapter: AdapterKind, p: PredictPrompt, inputs: Record<string, unknown>): RenderedCall {
  switch (adapter) {
    case 'json':
      return { messages: renderJson(p, inputs), jsonSchema: outputsSchema(p.signature) };
    case 'text':
      return { messages: renderText(p, inputs) };
    case 'chat':
      return { messages: renderPredict(p, inputs) };
  }
}

export function parseReply(adapter: AdapterKind, signature: Signature, text: string): Record<string, unknown> {
  switch (adapter) {
    case 'json':
      return parseJson(signature, text);
    case 'text':
      return parseText(signature, text);
    case 'chat':
      return parsePredict(signature, text);
  }
}

/** The one retry after a parse failure: the model sees its reply and what was wrong with it. */
export function retryMessages(
  messages: ChatMessage[],
  reply: string,
  error: string,
  adapter: AdapterKind,
): ChatMessage[] {
  // The text adapter takes any reply, so it never gets here.
  const how = {
    json: 'Answer again with one valid JSON object with every output field.',
    chat: 'Answer again, with every output field in the [[ ## field ## ]] format, ending with [[ ## completed ## ]].',
    text: 'Answer again.',
  }[adapter];
  return [
    ...messages,
    { role: 'assistant', content: reply },
    { role: 'user', content: `Your answer could not be used: ${error}. ${how}` },
  ];
}
