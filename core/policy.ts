// Decide a tool call against the policy: allow | deny | ask, and the rule that decided.
// deny beats ask beats allow; built-in rules (outside the workspace, protected paths, unreadable
// commands, unknown connections, read-only connections) cannot be overridden by user rules.
import { z } from 'zod';
import { readShell } from './shell.js';

export type PolicyAction = 'allow' | 'deny' | 'ask';
const ORDER: Record<PolicyAction, number> = { allow: 0, ask: 1, deny: 2 };

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
    })
    .optional(),
  description: z.string().optional(),
});
export type PolicyRule = z.infer<typeof policyRule>;

export const policySpec = z.strictObject({
  rules: z.array(policyRule).default([]),
  connections: z.record(z.string(), z.strictObject({ url: z.string().min(1), write: z.boolean().default(false) })).default({}),
  approvalTimeoutMs: z.int().positive().default(24 * 60 * 60 * 1000),
});
export type Policy = z.infer<typeof policySpec>;

export const toolCall = z.discriminatedUnion('tool', [
  z.strictObject({ tool: z.literal('terminal'), args: z.strictObject({ command: z.string().min(1) }) }),
  z.strictObject({
    tool: z.literal('filesystem'),
    args: z.strictObject({
      op: z.enum(['read', 'write', 'edit', 'list', 'glob', 'grep']),
      path: z.string().min(1),
      content: z.string().optional(),
      search: z.string().optional(),
      replace: z.string().optional(),
      pattern: z.string().optional(),
    }),
  }),
  z.strictObject({
    tool: z.literal('browser'),
    args: z.strictObject({ op: z.enum(['open', 'click', 'type', 'extract', 'screenshot']), url: z.string().optional(), selector: z.string().optional(), text: z.string().optional() }),
  }),
  z.strictObject({ tool: z.literal('database'), args: z.strictObject({ connection: z.string().min(1), sql: z.string().min(1) }) }),
]);
export type ToolCall = z.infer<typeof toolCall>;

export interface PolicyContext {
  /** Absolute workspace root (already a real path when the registry checks). */
  workspace: string;
  home: string;
  /** Absolute paths no agent may write: the project dir (.vloop) and the policy file. */
  protectedPaths: string[];
  /** Maps a lexical path to the path to judge (the registry passes realpath resolution). */
  realpath?: (p: string) => string;
}

export interface PolicyDecision {
  decision: PolicyAction;
  rule: string;
  reason: string;
}

/** POSIX path normalisation, pure (core/ has no node:path). */
export function normalizePath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `${abs ? '/' : ''}${out.join('/')}` || (abs ? '/' : '.');
}

export function resolveToolPath(ctx: PolicyContext, p: string): string {
  const expanded = p === '~' || p.startsWith('~/') ? ctx.home + p.slice(1) : p;
  const lexical = normalizePath(expanded.startsWith('/') ? expanded : `${ctx.workspace}/${expanded}`);
  return ctx.realpath ? ctx.realpath(lexical) : lexical;
}

/** Inside means equal to the root or below it: `/ws-evil` is not inside `/ws`. */
export function isInside(root: string, p: string): boolean {
  const r = root.endsWith('/') && root !== '/' ? root.slice(0, -1) : root;
  return p === r || p.startsWith(r === '/' ? '/' : `${r}/`);
}

function globToRegex(glob: string, paths: boolean): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      if (paths && glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += paths ? '[^/]*' : '.*';
    } else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

const DEVICES = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/stdin']);

export type SqlKind = 'read' | 'write' | 'ddl';

/** The strictest kind among the statements of a SQL text (quotes and comments ignored). */
export function sqlKind(sql: string): SqlKind {
  const stripped = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
  let kind: SqlKind = 'read';
  for (const statement of stripped.split(';')) {
    const words = statement.toLowerCase().match(/[a-z_]+/g) ?? [];
    const first = words[0];
    if (!first) continue;
    if (['create', 'alter', 'drop', 'truncate', 'grant', 'revoke', 'attach', 'detach', 'vacuum', 'reindex', 'rename', 'comment'].includes(first)) return 'ddl';
    const writes = ['insert', 'update', 'delete', 'replace', 'merge', 'upsert', 'copy', 'call', 'do', 'lock', 'set', 'pragma', 'begin', 'commit', 'savepoint'];
    if (writes.includes(first) || (first === 'with' && words.some((w) => ['insert', 'update', 'delete'].includes(w)))) kind = 'write';
    else if (!['select', 'with', 'explain', 'show', 'values', 'table', 'describe'].includes(first)) return 'ddl';
  }
  return kind;
}

function strictest(decisions: PolicyDecision[]): PolicyDecision {
  return decisions.reduce((a, b) => (ORDER[b.decision] > ORDER[a.decision] ? b : a));
}

function ruleName(policy: Policy, rule: PolicyRule): string {
  return rule.id ?? `rules[${policy.rules.indexOf(rule)}]`;
}

/** The user rules for this tool that match, as decisions; undefined when none does. */
function userRules(policy: Policy, tool: string, op: string | undefined, test: (m: NonNullable<PolicyRule['match']>) => boolean): PolicyDecision | undefined {
  const hits = policy.rules.filter((r) => (r.tool === tool || r.tool === '*' || (op && r.tool === `${tool}.${op}`)) && (!r.match?.op || r.match.op === op) && test(r.match ?? {}));
  if (!hits.length) return undefined;
  return strictest(hits.map((r) => ({ decision: r.action, rule: ruleName(policy, r), reason: r.description ?? `rule ${ruleName(policy, r)}` })));
}

function judgePath(policy: Policy, ctx: PolicyContext, raw: string, op: string, writes: boolean): PolicyDecision {
  const p = resolveToolPath(ctx, raw);
  if (!isInside(ctx.workspace, p)) return { decision: 'deny', rule: 'builtin:outside-workspace', reason: `${raw} resolves to ${p}, outside the workspace ${ctx.workspace}` };
  if (writes && ctx.protectedPaths.some((q) => isInside(q, p))) return { decision: 'deny', rule: 'builtin:protected-path', reason: `${raw} is protected (the harness directory or the policy file)` };
  const rel = p === ctx.workspace ? '.' : p.slice(ctx.workspace.length + 1);
  const hit = userRules(policy, 'filesystem', op, (m) => !m.path || globToRegex(m.path, true).test(rel) || globToRegex(m.path, true).test(p));
  if (hit) return hit;
  return writes ? { decision: 'ask', rule: 'default:write-asks', reason: `writing ${rel} needs approval` } : { decision: 'allow', rule: 'default:read-in-workspace', reason: `reading ${rel} inside the workspace` };
}

/**
 * Decide one tool call. Pure: the workflow calls it as is; the tool registry calls it again right
 * before running, with real paths (symlinks resolved), and refuses anything but allow.
 */
export function evaluatePolicy(policy: Policy, call: ToolCall, ctx: PolicyContext): PolicyDecision {
  switch (call.tool) {
    case 'filesystem': {
      const writes = call.args.op === 'write' || call.args.op === 'edit';
      return judgePath(policy, ctx, call.args.path, call.args.op, writes);
    }
    case 'terminal': {
      const reading = readShell(call.args.command);
      if (reading.unparseable) return { decision: 'deny', rule: 'builtin:unreadable-command', reason: `the command cannot be read with certainty: ${reading.unparseable}` };
      const decisions: PolicyDecision[] = [];
      for (const r of reading.redirects) {
        if (DEVICES.has(r.target)) continue;
        decisions.push(judgePath(policy, ctx, r.target, r.op === '<' ? 'read' : 'write', r.op !== '<'));
      }
      for (const cmd of reading.commands) {
        for (const arg of cmd.args) {
          if (arg.startsWith('-') || !/^(~|\.|\/)|\//.test(arg) || /^[a-z][a-z0-9+.-]*:\/\//i.test(arg) || DEVICES.has(arg)) continue;
          const p = resolveToolPath(ctx, arg);
          if (!isInside(ctx.workspace, p)) decisions.push({ decision: 'deny', rule: 'builtin:outside-workspace', reason: `${cmd.program} reaches ${arg}, outside the workspace` });
          else if (ctx.protectedPaths.some((q) => isInside(q, p))) decisions.push({ decision: 'deny', rule: 'builtin:protected-path', reason: `${cmd.program} touches ${arg}, which is protected` });
        }
        decisions.push(
          userRules(policy, 'terminal', undefined, (m) => !m.command || globToRegex(m.command, false).test(cmd.text) || globToRegex(m.command, false).test(cmd.program)) ?? {
            decision: 'ask',
            rule: 'default:terminal-asks',
            reason: `running ${cmd.program} needs approval`,
          },
        );
      }
      if (!decisions.length) return { decision: 'deny', rule: 'builtin:empty-command', reason: 'no command to run' };
      return strictest(decisions);
    }
    case 'browser': {
      if (!call.args.url) return userRules(policy, 'browser', call.args.op, () => true) ?? { decision: 'allow', rule: 'default:same-page', reason: `${call.args.op} on the open page` };
      let url: URL;
      try {
        url = new URL(call.args.url);
      } catch {
        return { decision: 'deny', rule: 'builtin:bad-url', reason: `not a URL: ${call.args.url}` };
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return { decision: 'deny', rule: 'builtin:scheme', reason: `only http(s) may be opened, not ${url.protocol}` };
      const host = url.hostname.toLowerCase();
      return (
        userRules(policy, 'browser', call.args.op, (m) => !m.url || globToRegex(m.url.toLowerCase(), false).test(host)) ?? {
          decision: 'deny',
          rule: 'default:host-not-allowed',
          reason: `${host} is not a host the policy allows`,
        }
      );
    }
    case 'database': {
      const conn = policy.connections[call.args.connection];
      if (!conn) return { decision: 'deny', rule: 'builtin:unknown-connection', reason: `connection '${call.args.connection}' is not named in the policy` };
      const kind = sqlKind(call.args.sql);
      if (kind !== 'read' && !conn.write) return { decision: 'deny', rule: 'builtin:read-only-connection', reason: `connection '${call.args.connection}' is read-only; this is a ${kind} statement` };
      return (
        userRules(policy, 'database', kind, (m) => (!m.sql || m.sql === kind) && (!m.connection || m.connection === call.args.connection)) ??
        (kind === 'read' ? { decision: 'allow', rule: 'default:read-allowed', reason: 'a read on a named connection' } : { decision: 'ask', rule: 'default:write-asks', reason: `a ${kind} statement needs approval` })
      );
    }
  }
}
