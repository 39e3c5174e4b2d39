// The policy file's schema and the types a decision is made of.
import { z } from 'zod';
import type { ShellFacts } from '../shell-facts.js';

export type PolicyAction = 'allow' | 'deny' | 'ask';

export const policyRule = z.strictObject({
  id: z.string().optional(),
  tool: z.string().min(1),
  action: z.enum(['allow', 'deny', 'ask']),
  match: z
    .strictObject({
      command: z.string().optional(),
      path: z.string().optional(),
      url: z.string().optional(),
      sql: z.enum(['read', 'write', 'ddl']).optional(),
      connection: z.string().optional(),
      op: z.string().optional(),
      /** MCP tools: argument name -> glob its (stringified) value must match. */
      arguments: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  description: z.string().optional(),
});
export type PolicyRule = z.infer<typeof policyRule>;

/** An MCP server agents may use (`mcp:<name>` in a component's tools). */
export const mcpServerSpec = z.discriminatedUnion('transport', [
  z.strictObject({
    transport: z.literal('stdio'),
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    /** Run the server under the terminal's OS sandbox (workspace read-write, no network unless `network`). */
    sandbox: z.boolean().default(false),
    network: z.boolean().default(false),
    /** Judge string arguments that look like paths with the workspace guard (off for servers whose strings are not paths). */
    pathArguments: z.boolean().default(true),
  }),
  z.strictObject({
    transport: z.literal('http'),
    url: z.url(),
    /** Header values, or `{env: NAME}` to take one from the worker's environment (a key never written into the policy). */
    headers: z.record(z.string(), z.union([z.string(), z.strictObject({ env: z.string().min(1) })])).default({}),
    pathArguments: z.boolean().default(true),
  }),
]);
export type McpServerSpec = z.infer<typeof mcpServerSpec>;
export const MCP_SERVER_NAME = /^[A-Za-z0-9_-]{1,32}$/;

export const policySpec = z.strictObject({
  rules: z.array(policyRule).default([]),
  connections: z
    .record(z.string(), z.strictObject({ url: z.string().min(1), write: z.boolean().default(false) }))
    .default({}),
  approvalTimeoutMs: z
    .int()
    .positive()
    .default(24 * 60 * 60 * 1000),
  /** Whether terminal commands may reach the network when no `network` rule names their host. */
  network: z.enum(['deny', 'ask', 'allow']).default('ask'),
  mcpServers: z
    .record(z.string().regex(MCP_SERVER_NAME, 'an MCP server name is letters, digits, _ and -'), mcpServerSpec)
    .default({}),
});
export type Policy = z.infer<typeof policySpec>;

export interface PolicyContext {
  /** Absolute workspace root (already a real path when the registry checks). */
  workspace: string;
  home: string;
  /** Absolute paths no agent may write: the project dir (.vloop), the policy file and .git. */
  protectedPaths: string[];
  /** Absolute paths no tool may read or write, whatever the rules say: the harness directory (token, keys, store, logs) and the policy file. */
  hiddenPaths?: string[];
  /** Maps a lexical path to the path to judge (the registry passes realpath resolution). */
  realpath?: (p: string) => string;
  /** Whether terminal commands run under the OS sandbox; without it the policy is stricter. */
  sandboxed?: boolean;
  /** The harness's and Temporal's listening ports: no browser rule opens them, on any host. */
  reservedPorts?: number[];
}

export type SqlKind = 'read' | 'write' | 'ddl';
export type SqlDialect = 'sqlite' | 'postgres';
export interface SqlStatement {
  /** The parser's name for the statement (`SelectStmt`, `insert_stmt` …). */
  type: string;
  kind: SqlKind;
  /** Why it is stricter than its statement type suggests (a side-effecting function …). */
  why?: string;
  /** Set when it reaches past the declared database: another file, a server file, a program, a library. */
  outside?: string;
}
export interface SqlFacts {
  dialect: SqlDialect;
  statements: SqlStatement[];
  /** Set when the dialect's parser does not accept the text. */
  unparsed?: string;
}

/** What the parsers read from the call, for the tools that need it. */
export interface JudgeFacts {
  shell?: ShellFacts;
  sql?: SqlFacts;
}

/** One rule or fact that applies to a call, as the dry run lists them. */
export interface PolicyReason {
  decision: PolicyAction;
  rule: string;
  reason: string;
}

export interface PolicyDecision extends PolicyReason {
  /** Terminal: every reason that applies (each command of a list, each path, the network), strictest first; the first decided. */
  reasons?: PolicyReason[];
  /** Terminal: whether the command may use the network (allow, or ask answered by a person). */
  network?: PolicyAction;
  /** Database: the statement kind, so a read runs read-only at the engine. */
  sqlKind?: SqlKind;
}
