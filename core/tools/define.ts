// A tool is one object: what the model is told (name, description, argument schema), what the policy
// judges (its subject), the sandbox it needs, what a "for this run" approval covers, and how it runs.
// Pure, so workflows and the web read the schemas; what touches the machine arrives in `run.services`.
import type { z } from 'zod';
import type { JudgeFacts, McpServerSpec, Policy, PolicyContext, PolicyDecision } from '../policy/spec.js';
import type { Subject } from '../policy/subject.js';

/** What a tool answers: the model reads `output`. */
export interface ToolOutcome {
  ok: boolean;
  output: string;
  /** The call was started as an MCP task: the run waits for it durably, then reads its result. */
  task?: McpTaskRef | undefined;
  /** The MCP tool has an app (MCP Apps): the run page shows its view with this answer. */
  app?: McpAppRef | undefined;
}

/** A tool's MCP App: the `ui://` view its server lists for it. */
export interface McpAppRef {
  resourceUri: string;
}

/** A task an MCP server is running for a call: where to ask about it, and how often. */
export interface McpTaskRef {
  server: string;
  taskId: string;
  pollMs: number;
  app?: McpAppRef | undefined;
}

export interface CommandOutcome {
  output: string;
  exitCode: number | null;
  timedOut: boolean;
  /** Why there was no OS sandbox, when there was none. */
  unsandboxed?: string | undefined;
  /** Connections the network proxy refused. */
  refused: string[];
}

/** A filesystem operation on a checked real path. */
export interface FileOperation {
  op: 'read' | 'write' | 'edit' | 'list' | 'glob' | 'grep';
  path: string;
  content?: string | undefined;
  search?: string | undefined;
  replace?: string | undefined;
  pattern?: string | undefined;
}

export interface PageOperation {
  op: 'open' | 'click' | 'type' | 'extract' | 'screenshot';
  url?: string | undefined;
  selector?: string | undefined;
  text?: string | undefined;
}

/** What the worker lends a tool to reach the machine: each confined as the policy and the sandbox require. */
export interface ToolServices {
  /** A shell command in the workspace, under the OS sandbox when there is one; the network only through the judging proxy, and only when `network`. */
  command(command: string, o: { network: boolean; approved: boolean }): Promise<CommandOutcome>;
  /** A file operation inside the workspace, every file checked once opened. */
  files(target: string, args: FileOperation): string;
  /** SQL on a connection the policy declares; `readOnly` is enforced by the engine. */
  query(connection: { url: string; write: boolean }, sql: string, o: { readOnly: boolean }): Promise<string>;
  /** The run's browser page; every request it makes is judged by `allowHost`. */
  browse(args: PageOperation, allowHost: (url: string) => boolean): Promise<string>;
  /** A tool of an MCP server the policy declares, over the worker's session with it. */
  mcp(server: string, spec: McpServerSpec, tool: string, args: Record<string, unknown>): Promise<ToolOutcome>;
}

/** One call's running: the re-check's decision, the policy and what the tool may use. */
export interface ToolRun {
  runId: string;
  callId: string;
  /** The call's tool name (an MCP tool's `mcp:<server>/<tool>`). */
  tool: string;
  decision: PolicyDecision;
  /** A person approved the call (its decision was ask). */
  approved: boolean;
  policy: Policy;
  /** The policy context, with real paths. */
  context: PolicyContext;
  /** Judge another call under the same policy and context (a page's navigations). */
  judge(call: { tool: string; args: unknown }): PolicyDecision;
  services: ToolServices;
}

/**
 * `none`: runs in the worker (its paths, pages or connections are judged and confined by the service);
 * `os`: runs processes under the terminal's OS sandbox, and the judge is told whether the sandbox is active.
 */
export type SandboxNeed = 'none' | 'os';

export interface ToolDefinition<Name extends string = string, Args extends z.ZodType = z.ZodType> {
  name: Name;
  /** For a family of tools (an MCP server's tools): which call names this object answers. */
  names?: RegExp;
  /** What the model is told the tool does. */
  description: string;
  /** The arguments, as the model sees them (JSON Schema) and as every call is checked. */
  args: Args;
  /** What the policy judges for a call. */
  facts(args: z.infer<Args>, tool: string): Subject;
  sandbox: SandboxNeed;
  /** What a "for this run" approval of the call covers: a later call of the same shape needs no person. */
  shape(args: z.infer<Args>, read: JudgeFacts, decision: PolicyDecision, tool: string): string;
  execute(args: z.infer<Args>, run: ToolRun): Promise<ToolOutcome>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of tools holds each one's own argument type
export type AnyTool = ToolDefinition<string, any>;

/** Declare a tool; the object is all there is to it (list it in core/tools/index.ts, or pass it to the registry). */
export function defineTool<const Name extends string, Args extends z.ZodType>(
  tool: ToolDefinition<Name, Args>,
): ToolDefinition<Name, Args> {
  return tool;
}
