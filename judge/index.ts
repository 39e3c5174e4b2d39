// The one way a tool call is judged: its tool object names what the policy judges, a real parser
// reads the command or the SQL, then core/policy decides. The workflow's judge activity, the registry right before running, and the
// API's dry run all call this, so all three see the same decision.
import type { ToolsConfig } from '../config/index.js';
import {
  findTool,
  judgeSubject,
  TOOLS,
  type JudgeFacts,
  type Policy,
  type PolicyContext,
  type PolicyDecision,
  type Subject,
  type ToolCatalogue,
} from '../core/policy.js';
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

/** What the parsers read from a subject: the command's words (computed with `vars`) or the SQL's statements. */
async function readSubject(policy: Policy, subject: Subject, vars: Record<string, string>): Promise<JudgeFacts> {
  if (subject.kind === 'command') return { shell: readShellCommand(subject.command, { vars }) };
  const conn = subject.kind === 'sql' ? policy.connections[subject.connection] : undefined;
  if (subject.kind === 'sql' && conn) return { sql: await readSql(subject.sql, sqlDialect(conn.url)) };
  return {};
}

/** What the parsers read from a call, by what its tool puts before the policy. */
export async function readFacts(
  policy: Policy,
  call: { tool: string; args: unknown },
  vars: Record<string, string>,
  catalogue: ToolCatalogue = TOOLS,
): Promise<JudgeFacts> {
  const tool = findTool(call.tool, catalogue);
  return tool ? readSubject(policy, tool.facts(call.args, call.tool), vars) : {};
}

/** Judge a call: its tool names the subject, the parsers read it, the policy decides; a command is read and decided on the judge's thread. */
export async function judgeToolCall(
  policy: Policy,
  call: { tool: string; args: unknown },
  tools: ToolsConfig,
  catalogue: ToolCatalogue = TOOLS,
): Promise<Judgement> {
  const tool = findTool(call.tool, catalogue);
  if (!tool) throw new Error(`there is no tool ${call.tool}`);
  // Only a tool whose processes run under the OS sandbox is judged as sandboxed.
  const context: PolicyContext = {
    ...policyContext(tools),
    realpath: realResolve,
    sandboxed: tool.sandbox === 'os' && sandboxStatus(tools).active,
  };
  const subject = tool.facts(call.args, call.tool);
  if (subject.kind === 'command') {
    // Reading and deciding a command costs time that grows with it: done on the judge's thread, never on this event loop.
    const { realpath: _, ...plain } = context;
    const { facts, decision } = await judgeTerminalOffThread(
      policy,
      call.tool,
      subject.command,
      plain,
      terminalEnv(tools, context.workspace),
    );
    return { decision, shape: tool.shape(call.args, { shell: facts }, decision, call.tool), context };
  }
  const facts = await readSubject(policy, subject, terminalEnv(tools, context.workspace));
  const decision = judgeSubject(policy, context, call.tool, subject, facts);
  return { decision, shape: tool.shape(call.args, facts, decision, call.tool), context };
}
