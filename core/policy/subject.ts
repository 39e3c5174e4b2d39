// What a tool call puts before the policy: a path, a shell command, SQL on a connection, a page or an
// MCP server's call. A tool names its subject (core/tools); the policy judges subjects, never tools.
import { judgeDatabase } from './database.js';
import { judgePage } from './hosts.js';
import { judgeMcp } from './mcp.js';
import { judgePath } from './paths.js';
import type { JudgeFacts, Policy, PolicyContext, PolicyDecision } from './spec.js';
import { judgeCommand } from './terminal.js';

export type Subject =
  /** A file the tool reads or writes (`op` names the rules `<tool>.<op>`). */
  | { kind: 'path'; path: string; op: string; writes: boolean }
  /** A shell command, read by the shell parser before it is judged. */
  | { kind: 'command'; command: string }
  /** SQL on a connection the policy names, read by the connection's own SQL parser. */
  | { kind: 'sql'; connection: string; sql: string }
  /** A page operation, with the URL it opens if it opens one. */
  | { kind: 'page'; op: string; url?: string | undefined }
  /** An MCP server's tool call (`mcp:<server>/<tool>`) with its arguments. */
  | { kind: 'mcp'; args: Record<string, unknown> };

/** Judge a subject under the rules of `tool`; commands and SQL come already read (`facts`). */
export function judgeSubject(
  policy: Policy,
  ctx: PolicyContext,
  tool: string,
  subject: Subject,
  facts: JudgeFacts = {},
): PolicyDecision {
  switch (subject.kind) {
    case 'path':
      return judgePath(policy, ctx, tool, subject.path, subject.op, subject.writes);
    case 'command':
      if (!facts.shell)
        return { decision: 'deny', rule: 'builtin:not-judged', reason: 'the command was not read by the shell parser' };
      return judgeCommand(policy, ctx, tool, facts.shell);
    case 'sql':
      return judgeDatabase(policy, tool, subject.connection, facts.sql);
    case 'page':
      return judgePage(policy, ctx, tool, subject.op, subject.url);
    case 'mcp':
      return judgeMcp(policy, ctx, { tool, args: subject.args });
  }
}
