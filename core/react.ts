// ReAct as messages: the task, the tools and their argument schemas, the trajectory so far; the
// model answers one JSON action (use a tool, or finish with the signature's outputs).
import { z } from 'zod';
import { typeSchema, type JsonSchema } from './json-schema.js';
import type { ChatMessage } from './messages.js';
import { BUILTIN_TOOLS, TOOL_DESCRIPTIONS } from './tools/index.js';
import type { Signature } from './signature.js';
import { typeToString, valueMatches } from './types.js';

/** An MCP server's tool as discovered and pinned into a run: `mcp:<server>/<tool>` with its input schema. */
export interface McpToolInfo {
  name: string;
  description?: string | undefined;
  inputSchema: JsonSchema;
}

/** The tool names a component may call: its built-ins, and the pinned MCP tools its `mcp:<server>[/<tool>]` entries select. */
export function agentToolNames(declared: string[], mcp: McpToolInfo[]): string[] {
  const builtins = declared.filter((t) => !t.startsWith('mcp:'));
  const selected = mcp.filter((t) =>
    declared.some((d) => d === t.name || (d.startsWith('mcp:') && !d.includes('/') && t.name.startsWith(`${d}/`))),
  );
  return [...builtins, ...selected.map((t) => t.name)];
}

/** Providers' native tool names allow letters, digits, _ and - only: `mcp:fs/read_file` is offered as `mcp__fs__read_file`. */
export function nativeToolName(name: string): string {
  return name.startsWith('mcp:')
    ? `mcp__${name
        .slice(4)
        .replace('/', '__')
        .replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 64)
    : name;
}

function describeTool(name: string, mcp: McpToolInfo[]): string {
  return TOOL_DESCRIPTIONS[name] ?? mcp.find((t) => t.name === name)?.description ?? name;
}

export interface TrajectoryStep {
  thought: string;
  call?: { tool: string; args: unknown };
  observation: string;
}

export type AgentAction =
  | { thought: string; tool: string; args: Record<string, unknown> }
  | { thought: string; finish: Record<string, unknown> };

export function toolArgSchemas(tools: string[], mcp: McpToolInfo[] = []): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const t of mcp) {
    if (!tools.includes(t.name)) continue;
    const { $schema: _ignored, ...schema } = t.inputSchema;
    out[t.name] = schema;
  }
  for (const tool of BUILTIN_TOOLS) {
    if (!tools.includes(tool.name)) continue;
    // The model reads these: no $schema URL for a small model to copy into a path.
    const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.args) as JsonSchema;
    out[tool.name] = schema;
  }
  return out;
}

/** The action as one object (structured output APIs want an object at the root); parseAction refuses both at once. */
export function actionSchema(sig: Signature, tools: string[]): JsonSchema {
  return {
    type: 'object',
    properties: {
      thought: { type: 'string' },
      ...(tools.length ? { tool: { enum: tools }, args: { type: 'object' } } : {}),
      finish: { type: 'object', properties: Object.fromEntries(sig.outputs.map((f) => [f.name, typeSchema(f.type)])) },
    },
    required: ['thought'],
  };
}

/** For the embedded model's grammar: a tool call with its own arguments, or a finish — never both. */
export function actionGrammar(sig: Signature, tools: string[], mcp: McpToolInfo[] = []): JsonSchema {
  const schemas = toolArgSchemas(tools, mcp);
  return {
    oneOf: [
      ...tools.map((t) => ({
        type: 'object',
        properties: { thought: { type: 'string' }, tool: { enum: [t] }, args: schemas[t] ?? { type: 'object' } },
        required: ['thought', 'tool', 'args'],
      })),
      {
        type: 'object',
        properties: {
          thought: { type: 'string' },
          finish: {
            type: 'object',
            properties: Object.fromEntries(sig.outputs.map((f) => [f.name, typeSchema(f.type)])),
            required: sig.outputs.map((f) => f.name),
          },
        },
        required: ['thought', 'finish'],
      },
    ],
  };
}

export function renderReact(
  p: {
    signature: Signature;
    instructions?: string | undefined;
    tools: string[];
    mcp?: McpToolInfo[] | undefined;
    native?: boolean;
    finishOnly?: boolean | undefined;
  },
  inputs: Record<string, unknown>,
  trajectory: TrajectoryStep[],
): ChatMessage[] {
  const mcp = p.mcp ?? [];
  const schemas = toolArgSchemas(p.tools, mcp);
  const system = [
    p.instructions ?? 'Complete the task.',
    `Inputs: ${p.signature.inputs.map((f) => `\`${f.name}\` (${typeToString(f.type)})`).join(', ')}.`,
    `When done, give the outputs: ${p.signature.outputs.map((f) => `\`${f.name}\` (${typeToString(f.type)})`).join(', ')}.`,
    ...(p.native
      ? ['Call one of the tools you are given; when you can answer, call `finish` with the outputs.']
      : p.tools.length === 0
        ? ['Answer with one JSON object: {"thought": "...", "finish": {<outputs>}}.']
        : [
            `Tools:\n${p.tools.map((t) => `- ${t}: ${describeTool(t, mcp)} Arguments (JSON Schema): ${JSON.stringify(schemas[t] ?? {})}`).join('\n')}`,
            'Answer with one JSON object: {"thought": "...", "tool": "<tool>", "args": {...}} to use a tool, or {"thought": "...", "finish": {<outputs>}} when you can answer.',
          ]),
    ...(p.finishOnly
      ? ['This is your last step: no more tools. Give the final outputs now with finish, from what you have learned.']
      : []),
  ].join('\n\n');
  const messages: ChatMessage[] = [
    { role: 'system', content: system },
    {
      role: 'user',
      content: p.signature.inputs
        .map(
          (f) =>
            `[[ ## ${f.name} ## ]]\n${typeof inputs[f.name] === 'string' ? inputs[f.name] : JSON.stringify(inputs[f.name])}`,
        )
        .join('\n\n'),
    },
  ];
  for (const step of trajectory) {
    messages.push({
      role: 'assistant',
      content: JSON.stringify(
        step.call ? { thought: step.thought, tool: step.call.tool, args: step.call.args } : { thought: step.thought },
      ),
    });
    messages.push({ role: 'user', content: `Observation: ${step.observation}` });
  }
  return messages;
}

/** Parse the model's action; a problem comes back as text the model can read next step. */
export function parseAction(
  sig: Signature,
  text: string,
  tools: string[],
): { action: AgentAction } | { problem: string } {
  let v: Record<string, unknown>;
  try {
    const start = text.indexOf('{');
    v = JSON.parse(text.slice(start, text.lastIndexOf('}') + 1));
  } catch {
    return { problem: 'your answer was not a JSON object' };
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return { problem: 'your answer was not a JSON object' };
  // A broken action is refused whole, never half-applied: nothing was run and nothing finished.
  const extra = Object.keys(v).filter((k) => !['thought', 'tool', 'args', 'finish'].includes(k));
  if (extra.length)
    return {
      problem: `unknown keys ${extra.map((k) => JSON.stringify(k)).join(', ')}; an action has thought and either tool + args or finish. Nothing was done.`,
    };
  if ('finish' in v && ('tool' in v || 'args' in v))
    return { problem: 'an action is either a tool call or a finish, not both. Nothing was done; send one action.' };
  const thought = typeof v.thought === 'string' ? v.thought : '';
  if ('finish' in v) {
    if (!v.finish || typeof v.finish !== 'object' || Array.isArray(v.finish))
      return { problem: 'finish must be an object of the outputs' };
    const finish = v.finish as Record<string, unknown>;
    const unknown = Object.keys(finish).filter((k) => !sig.outputs.some((f) => f.name === k));
    if (unknown.length) return { problem: `finish has fields the task does not ask for: ${unknown.join(', ')}` };
    const bad = sig.outputs
      .filter((f) => !valueMatches(finish[f.name], f.type))
      .map((f) => `${f.name} (${typeToString(f.type)})`);
    if (bad.length) return { problem: `finish is missing or has wrong types for: ${bad.join(', ')}` };
    return { action: { thought, finish: Object.fromEntries(sig.outputs.map((f) => [f.name, finish[f.name]])) } };
  }
  if (typeof v.tool !== 'string' || !tools.includes(v.tool))
    return { problem: `unknown tool ${JSON.stringify(v.tool)}; use one of ${tools.join(', ')}` };
  if (v.args !== undefined && (typeof v.args !== 'object' || v.args === null || Array.isArray(v.args)))
    return { problem: 'args must be an object' };
  return { action: { thought, tool: v.tool, args: (v.args ?? {}) as Record<string, unknown> } };
}

/** The tools offered natively: the allowed ones, and `finish` whose parameters are the outputs. */
export function nativeTools(
  sig: Signature,
  tools: string[],
  mcp: McpToolInfo[] = [],
): Array<{ name: string; description: string; parameters: JsonSchema }> {
  const schemas = toolArgSchemas(tools, mcp);
  return [
    ...tools.map((t) => ({
      name: nativeToolName(t),
      description: describeTool(t, mcp),
      parameters: schemas[t] ?? { type: 'object' },
    })),
    {
      name: 'finish',
      description: 'Give the final outputs when the task is done.',
      parameters: {
        type: 'object',
        properties: Object.fromEntries(sig.outputs.map((f) => [f.name, typeSchema(f.type)])),
        required: sig.outputs.map((f) => f.name),
      },
    },
  ];
}

/** Read a native tool call as an action (the same shape the JSON path produces). */
export function parseNativeAction(
  sig: Signature,
  text: string,
  calls: Array<{ name: string; arguments: Record<string, unknown> }> | undefined,
  tools: string[],
): { action: AgentAction } | { problem: string } {
  const call = calls?.[0];
  if (!call) return { problem: 'answer by calling one of the tools (or finish)' };
  if (calls.length > 1)
    return {
      problem: `call one tool at a time (you called ${calls.map((c) => c.name).join(' and ')}). Nothing was done; call one.`,
    };
  if (call.name === 'finish') return parseAction(sig, JSON.stringify({ thought: text, finish: call.arguments }), tools);
  const tool = tools.find((t) => nativeToolName(t) === call.name) ?? call.name;
  return parseAction(sig, JSON.stringify({ thought: text, tool, args: call.arguments }), tools);
}
