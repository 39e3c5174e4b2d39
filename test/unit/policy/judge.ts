// The judge as the registry runs it (parsers, then core/policy), against a fixed workspace that
// need not exist: paths are judged lexically, as the registry does after resolving symlinks.
import { readFacts } from '../../../judge/index.js';
import {
  evaluatePolicy,
  policySpec,
  type Policy,
  type PolicyContext,
  type PolicyDecision,
  type ToolCall,
} from '../../../core/policy.js';

export const ctx: PolicyContext = {
  workspace: '/work/ws',
  home: '/home/agent',
  protectedPaths: ['/work/ws/.vloop', '/work/ws/policy.json', '/work/ws/.git/hooks', '/work/ws/.git/config'],
  sandboxed: true,
};
export const vars = {
  HOME: '/home/agent',
  PWD: '/work/ws',
  PATH: '/usr/local/bin:/usr/bin:/bin',
  LANG: 'C.UTF-8',
  SPACED: 'a b',
};

/** Broad allow rules, as a busy user writes them; the built-ins must still hold. */
export const broad: Policy = policySpec.parse({
  rules: [
    { id: 'allow-cat', tool: 'terminal', action: 'allow', match: { command: 'cat *' } },
    { id: 'allow-ls', tool: 'terminal', action: 'allow', match: { command: 'ls*' } },
    { id: 'allow-echo', tool: 'terminal', action: 'allow', match: { command: 'echo*' } },
    { id: 'allow-grep', tool: 'terminal', action: 'allow', match: { command: 'grep *' } },
    { id: 'allow-git', tool: 'terminal', action: 'allow', match: { command: 'git *' } },
    { id: 'allow-find', tool: 'terminal', action: 'allow', match: { command: 'find *' } },
    { id: 'allow-sed', tool: 'terminal', action: 'allow', match: { command: 'sed *' } },
    { id: 'allow-python', tool: 'terminal', action: 'allow', match: { command: 'python3 *' } },
    { id: 'allow-build', tool: 'terminal', action: 'allow', match: { command: 'python3 scripts/build.py' } },
    { id: 'allow-curl', tool: 'terminal', action: 'allow', match: { command: 'curl *' } },
    { id: 'allow-wc', tool: 'terminal', action: 'allow', match: { command: 'wc*' } },
    { id: 'allow-head', tool: 'terminal', action: 'allow', match: { command: 'head *' } },
    { id: 'allow-touch', tool: 'terminal', action: 'allow', match: { command: 'touch *' } },
    { id: 'allow-env', tool: 'terminal', action: 'allow', match: { command: 'env *' } },
    { id: 'allow-sudo', tool: 'terminal', action: 'allow', match: { command: 'sudo *' } },
    { id: 'allow-xargs', tool: 'terminal', action: 'allow', match: { command: 'xargs *' } },
    { id: 'allow-bash', tool: 'terminal', action: 'allow', match: { command: 'bash *' } },
    { id: 'allow-npm', tool: 'terminal', action: 'allow', match: { command: 'npm *' } },
    { id: 'allow-cd', tool: 'terminal', action: 'allow', match: { command: 'cd*' } },
    { id: 'allow-read', tool: 'terminal', action: 'allow', match: { command: 'read *' } },
    { id: 'allow-true', tool: 'terminal', action: 'allow', match: { command: 'true' } },
    { id: 'deny-rm-rf', tool: 'terminal', action: 'deny', match: { command: 'rm -rf *' } },
    { id: 'net-docs', tool: 'network', action: 'allow', match: { url: '*.example.org' } },
    { id: 'net-evil', tool: 'network', action: 'deny', match: { url: 'evil.example' } },
    { id: 'browse-docs', tool: 'browser', action: 'allow', match: { url: 'docs.example.com' } },
    { id: 'fs-all', tool: 'filesystem', action: 'allow' },
    { id: 'db-all', tool: 'database', action: 'allow' },
  ],
  connections: {
    app: { url: 'sqlite:app.db' },
    scratch: { url: 'sqlite:scratch.db', write: true },
    pg: { url: 'postgres://127.0.0.1/test', write: true },
    pgro: { url: 'postgres://127.0.0.1/test' },
  },
});

export async function judge(
  call: ToolCall,
  policy: Policy = broad,
  context: PolicyContext = ctx,
): Promise<PolicyDecision> {
  return evaluatePolicy(policy, call, context, await readFacts(policy, call, vars));
}

export const sh = (command: string, policy?: Policy, context?: PolicyContext) =>
  judge({ tool: 'terminal', args: { command } }, policy, context);
export const sql = (connection: string, text: string) => judge({ tool: 'database', args: { connection, sql: text } });
