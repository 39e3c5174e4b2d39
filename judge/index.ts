// The one way a tool call is judged: read the command or the SQL with a real parser, then decide
// with core/policy. The workflow's judge activity, the registry right before running, and the
// API's dry run all call this, so all three see the same decision.
import type { ToolsConfig } from '../config/index.js';
import { callShape, evaluatePolicy, isMcpCall, type JudgeFacts, type Policy, type PolicyContext, type PolicyDecision, type ToolCall } from '../core/policy.js';
import { policyContext, realResolve } from '../db/policy-file.js';
import { sandboxStatus } from '../sandbox/index.js';
import { readShellCommand } from './shell.js';
import { judgeTerminalOffThread } from './shell-thread.js';
import { readSql, sqlDialect } from './sql.js';

export interface Judgement {
  decision: PolicyDecision;
  /** What a `remember: run` approval of this call covers. */
  shape: string;
  context: PolicyContext;
}

/** The environment a terminal command runs with; the judge computes `$HOME`, `$PWD` … from the same. */
export function terminalEnv(tools: Pick<ToolsConfig, 'env' | 'home'>, workspace: string): Record<string, string> {
  return { ...tools.env, HOME: tools.home, PWD: workspace };
}

/** What the parsers read from a call: the command's words (computed with `vars`) or the SQL's statements. */
export async function readFacts(policy: Policy, call: ToolCall, vars: Record<string, string>): Promise<JudgeFacts> {
  const facts: JudgeFacts = {};
  if (isMcpCall(call)) return facts;
  if (call.tool === 'terminal') facts.shell = readShellCommand(call.args.command, { vars });
  if (call.tool === 'database') {
    const conn = policy.connections[call.args.connection];
    if (conn) facts.sql = await readSql(call.args.sql, sqlDialect(conn.url));
  }
  return facts;
}

export async function judgeToolCall(policy: Policy, call: ToolCall, tools: ToolsConfig): Promise<Judgement> {
  const context: PolicyContext = { ...policyContext(tools), realpath: realResolve, sandboxed: sandboxStatus(tools).active };
  if (call.tool === 'terminal') {
    // Reading and deciding a command costs time that grows with it: done on the judge's thread, never on this event loop.
    const { realpath: _, ...plain } = context;
    const { facts, decision } = await judgeTerminalOffThread(policy, call.args.command, plain, terminalEnv(tools, context.workspace));
    return { decision, shape: callShape(call, { shell: facts }, decision), context };
  }
  const facts = await readFacts(policy, call, terminalEnv(tools, context.workspace));
  const decision = evaluatePolicy(policy, call, context, facts);
  return { decision, shape: callShape(call, facts, decision), context };
}
