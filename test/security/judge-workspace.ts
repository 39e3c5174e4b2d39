// A real workspace (with .vloop and .git) and broad allow rules, for judging escape attempts
// through the real judgeToolCall, the way the registry and the API's dry run judge them.
import fs from 'node:fs';
import path from 'node:path';
import { judgeToolCall } from '../../judge/index.js';
import { policySpec, type Policy, type PolicyDecision, type ToolCall } from '../../core/policy.js';
import { makeWorkspace } from '../helpers/agent-setup.js';
import { testConfig } from '../helpers/config.js';

/** Rules as a busy user writes them: every program a prefix rule, every path, host and connection allowed. */
export const broadRules: Policy = policySpec.parse({
  rules: [
    ...[
      'cat',
      'tar',
      'git',
      'sed',
      'find',
      'awk',
      'sort',
      'diff',
      'ls',
      'grep',
      'head',
      'tail',
      'xargs',
      'env',
      'python3',
      'node',
      'perl',
      'less',
      'vim',
      'ssh',
      'rsync',
      'zip',
      'tee',
      'dd',
      'cp',
      'split',
      'timeout',
      'nice',
      'echo',
      'wc',
      'curl',
      'man',
      'bash',
      'sh',
      'cd',
      'touch',
      'mkdir',
      'rm',
      'sqlite3',
      'make',
      'npm',
      'uniq',
      'cut',
      'jq',
      'ln',
      'mv',
      'install',
      'chmod',
      'base64',
      'od',
      'xxd',
      'stat',
      'file',
      'readlink',
      'realpath',
    ].map((p) => ({ id: `allow-${p}`, tool: 'terminal', action: 'allow', match: { command: `${p} *` } })),
    { id: 'allow-any-command', tool: 'terminal', action: 'allow', match: { command: '*' } },
    { id: 'fs-all', tool: 'filesystem', action: 'allow', match: { path: '**' } },
    { id: 'browser-all', tool: 'browser', action: 'allow', match: { url: '*' } },
    { id: 'network-all', tool: 'network', action: 'allow', match: { url: '*' } },
    { id: 'db-read', tool: 'database', action: 'allow', match: { sql: 'read' } },
    { id: 'db-write', tool: 'database', action: 'allow', match: { sql: 'write' } },
    { id: 'mcp-all', tool: 'mcp:*', action: 'allow' },
  ],
  connections: { app: { url: 'sqlite:data/app.db', write: true }, ro: { url: 'sqlite:data/ro.db' } },
  mcpServers: { fs: { transport: 'stdio', command: 'mcp-server-filesystem' } },
});

export interface JudgeWorkspace {
  workspace: string;
  /** The ports the harness and Temporal listen on in this configuration (the judge must refuse them). */
  ports: { api: number; apps: number; temporal: number; temporalUi: number };
  judge(call: ToolCall): Promise<PolicyDecision>;
  terminal(command: string): Promise<PolicyDecision>;
  close(): void;
}

/** A workspace holding the harness's own directory (.vloop) and a git repository, with planted symlinks into both. */
export function judgeWorkspace(policy: Policy = broadRules): JudgeWorkspace {
  const workspace = makeWorkspace({
    'README.md': '# hi\n',
    'src/a.ts': 'export {}\n',
    '.vloop/token': 'secret-token\n',
    '.vloop/secret.key': 'k\n',
    '.vloop/harness.db': '',
    '.git/config': '[core]\n',
    '.git/HEAD': 'ref: refs/heads/main\n',
    '.git/hooks/.keep': '',
    'data/app.db': '',
    'data/ro.db': '',
  });
  fs.symlinkSync('.vloop', path.join(workspace, 'harness-link'));
  fs.symlinkSync('../.vloop/harness.db', path.join(workspace, 'data/stolen.db'));
  fs.symlinkSync('.git/hooks', path.join(workspace, 'hooks-link'));
  fs.symlinkSync('/etc', path.join(workspace, 'etc-link'));
  const config = testConfig({
    dir: path.join(workspace, '.vloop'),
    workspace,
    env: { HARNESS_PORT: '17651', HARNESS_APPS_PORT: '17652' },
  });
  const tools = config.tools;
  const judge = async (call: ToolCall) => (await judgeToolCall(policy, call, tools)).decision;
  const ports = {
    api: config.api.port,
    apps: config.api.appsPort,
    temporal: config.temporal.devPort,
    temporalUi: config.temporal.devUiPort,
  };
  return {
    workspace,
    ports,
    judge,
    terminal: (command) => judge({ tool: 'terminal', args: { command } }),
    close: () => fs.rmSync(workspace, { recursive: true, force: true }),
  };
}
