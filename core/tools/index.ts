// The tools, registered once: the call schemas, the policy's decision and a call's shape are all read
// from the tool objects in TOOLS. A catalogue is any such list (a test passes its own tool along).
import { z } from 'zod';
import { MCP_TOOL } from '../policy/mcp.js';
import type { JudgeFacts, Policy, PolicyContext, PolicyDecision } from '../policy/spec.js';
import { judgeSubject } from '../policy/subject.js';
import { browser } from './browser.js';
import { database } from './database.js';
import type { AnyTool } from './define.js';
import { filesystem } from './filesystem.js';
import { mcp } from './mcp.js';
import { terminal } from './terminal.js';

/** The built-in tools a component names, in the order the model is told about them. */
export const BUILTIN_TOOLS = [terminal, filesystem, browser, database] as const;
export const TOOLS: readonly AnyTool[] = [...BUILTIN_TOOLS, mcp];
/** Their names, as a component's `tools` may list them. */
export const BUILTIN_TOOL_NAMES = BUILTIN_TOOLS.map((t) => t.name) as unknown as NamesOf<typeof BUILTIN_TOOLS>;
export type ToolCatalogue = readonly AnyTool[];

type NamesOf<T extends readonly { name: string }[]> = { -readonly [K in keyof T]: T[K]['name'] };
type CallOf<T> = T extends { name: infer N extends string; args: infer A extends z.ZodType }
  ? z.ZodObject<{ tool: z.ZodLiteral<N>; args: A }, z.core.$strict>
  : never;
type CallsOf<T extends readonly unknown[]> = { -readonly [K in keyof T]: CallOf<T[K]> };
const callOf = <T extends AnyTool>(t: T) => z.strictObject({ tool: z.literal(t.name), args: t.args }) as CallOf<T>;

/** The built-in tools' calls. */
export const builtinToolCall = z.discriminatedUnion(
  'tool',
  BUILTIN_TOOLS.map(callOf) as unknown as CallsOf<typeof BUILTIN_TOOLS>,
);
export type BuiltinToolCall = z.infer<typeof builtinToolCall>;

/** A call of an MCP server's tool: `mcp:<server>/<tool>` with the tool's own arguments. */
export const mcpToolCall = z.strictObject({
  tool: z.custom<`mcp:${string}`>(
    (v) => typeof v === 'string' && MCP_TOOL.test(v),
    'an MCP tool is mcp:<server>/<tool>',
  ),
  args: mcp.args,
});
export type McpToolCall = z.infer<typeof mcpToolCall>;

export const toolCall = z.union([builtinToolCall, mcpToolCall]);
export type ToolCall = z.infer<typeof toolCall>;

export function isMcpCall(call: ToolCall): call is McpToolCall {
  return call.tool.startsWith('mcp:');
}

/** The tool object a call names, if the catalogue has one. */
export function findTool(name: string, catalogue: ToolCatalogue = TOOLS): AnyTool | undefined {
  return catalogue.find((t) => (t.names ? t.names.test(name) : t.name === name));
}

/** A call checked against its tool's schema (throws when the tool is unknown or the arguments do not fit). */
export function parseToolCall(
  raw: unknown,
  catalogue: ToolCatalogue = TOOLS,
): { tool: AnyTool; call: { tool: string; args: unknown } } {
  const name = (raw as { tool?: unknown } | null)?.tool;
  const tool = typeof name === 'string' ? findTool(name, catalogue) : undefined;
  if (!tool) throw new Error(`no tool ${JSON.stringify(name)}`);
  return { tool, call: z.strictObject({ tool: z.string(), args: tool.args }).parse(raw) };
}

/**
 * Decide one tool call: its tool names the subject, the policy judges it. Pure: terminal commands
 * and SQL come already read by real parsers (`facts`); the judge activity, the registry (right
 * before running, with real paths) and the API's dry run all call it the same way.
 */
export function evaluatePolicy(
  policy: Policy,
  call: { tool: string; args: unknown },
  ctx: PolicyContext,
  facts: JudgeFacts = {},
  catalogue: ToolCatalogue = TOOLS,
): PolicyDecision {
  const tool = findTool(call.tool, catalogue);
  if (!tool) return { decision: 'deny', rule: 'builtin:unknown-tool', reason: `there is no tool ${call.tool}` };
  return judgeSubject(policy, ctx, call.tool, tool.facts(call.args, call.tool), facts);
}

/**
 * The shape a `remember: run` approval covers: same tool and program / directory / connection.
 * A command with code, unknown words or network reach is remembered only as that exact command.
 */
export function callShape(
  call: { tool: string; args: unknown },
  facts: JudgeFacts,
  decision: PolicyDecision,
  catalogue: ToolCatalogue = TOOLS,
): string {
  const tool = findTool(call.tool, catalogue);
  return tool ? tool.shape(call.args, facts, decision, call.tool) : `${call.tool}:exact:${JSON.stringify(call.args)}`;
}

/** What the model is told each built-in tool does. */
export const TOOL_DESCRIPTIONS: Record<string, string> = Object.fromEntries(
  BUILTIN_TOOLS.map((t) => [t.name, t.description]),
);
