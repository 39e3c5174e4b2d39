// FROZEN: the terminal and database judge as it was before commands and SQL were read by real
// parsers (patch `policy-judged-by-parser`, ADR 0011). Agent runs recorded before that patch replay
// their old decisions with it; new decisions never use it. Delete it with deprecatePatch once no
// such run is open. Do not change it: a changed decision breaks those replays.
import {
  evaluatePolicy,
  isInside,
  isMcpCall,
  resolveToolPath,
  type Policy,
  type PolicyContext,
  type PolicyDecision,
  type PolicyRule,
  type ToolCall,
} from '../../core/policy.js';
import { readShell } from './shell-v1.js';

const DEVICES = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/stdin']);
const ORDER = { allow: 0, ask: 1, deny: 2 } as const;

type SqlKind = 'read' | 'write' | 'ddl';

/** The strictest kind among the statements of a SQL text (quotes and comments ignored). */
export function sqlKind(sql: string): SqlKind {
  const stripped = sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
  let kind: SqlKind = 'read';
  for (const statement of stripped.split(';')) {
    const words = statement.toLowerCase().match(/[a-z_]+/g) ?? [];
    const first = words[0];
    if (!first) continue;
    if (
      [
        'create',
        'alter',
        'drop',
        'truncate',
        'grant',
        'revoke',
        'attach',
        'detach',
        'vacuum',
        'reindex',
        'rename',
        'comment',
      ].includes(first)
    )
      return 'ddl';
    const writes = [
      'insert',
      'update',
      'delete',
      'replace',
      'merge',
      'upsert',
      'copy',
      'call',
      'do',
      'lock',
      'set',
      'pragma',
      'begin',
      'commit',
      'savepoint',
    ];
    if (writes.includes(first) || (first === 'with' && words.some((w) => ['insert', 'update', 'delete'].includes(w))))
      kind = 'write';
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

function globToRegex(glob: string): RegExp {
  let re = '';
  for (const ch of glob) re += ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`, 's');
}

function userRules(
  policy: Policy,
  tool: string,
  op: string | undefined,
  test: (m: NonNullable<PolicyRule['match']>) => boolean,
): PolicyDecision | undefined {
  const hits = policy.rules.filter(
    (r) =>
      (r.tool === tool || r.tool === '*' || (op && r.tool === `${tool}.${op}`)) &&
      (!r.match?.op || r.match.op === op) &&
      test(r.match ?? {}),
  );
  if (!hits.length) return undefined;
  return strictest(
    hits.map((r) => ({
      decision: r.action,
      rule: ruleName(policy, r),
      reason: r.description ?? `rule ${ruleName(policy, r)}`,
    })),
  );
}

function judgePath(policy: Policy, ctx: PolicyContext, raw: string, op: string, writes: boolean): PolicyDecision {
  return evaluatePolicy(policy, { tool: 'filesystem', args: { op: writes ? 'write' : 'read', path: raw } }, ctx, {});
}

/** The old decision for a call; filesystem and browser calls are judged as today. */
export function evaluatePolicyV1(policy: Policy, call: ToolCall, ctx: PolicyContext): PolicyDecision {
  // Runs from before the parser-backed judge had no MCP tools.
  if (isMcpCall(call)) return evaluatePolicy(policy, call, ctx, {});
  switch (call.tool) {
    case 'terminal': {
      const reading = readShell(call.args.command);
      if (reading.unparseable)
        return {
          decision: 'deny',
          rule: 'builtin:unreadable-command',
          reason: `the command cannot be read with certainty: ${reading.unparseable}`,
        };
      const decisions: PolicyDecision[] = [];
      for (const r of reading.redirects) {
        if (DEVICES.has(r.target)) continue;
        decisions.push(judgePath(policy, ctx, r.target, r.op === '<' ? 'read' : 'write', r.op !== '<'));
      }
      for (const cmd of reading.commands) {
        for (const arg of cmd.args) {
          if (
            arg.startsWith('-') ||
            !/^(~|\.|\/)|\//.test(arg) ||
            /^[a-z][a-z0-9+.-]*:\/\//i.test(arg) ||
            DEVICES.has(arg)
          )
            continue;
          const p = resolveToolPath(ctx, arg);
          if (!isInside(ctx.workspace, p))
            decisions.push({
              decision: 'deny',
              rule: 'builtin:outside-workspace',
              reason: `${cmd.program} reaches ${arg}, outside the workspace`,
            });
          else if (ctx.protectedPaths.some((q) => isInside(q, p)))
            decisions.push({
              decision: 'deny',
              rule: 'builtin:protected-path',
              reason: `${cmd.program} touches ${arg}, which is protected`,
            });
        }
        decisions.push(
          userRules(
            policy,
            'terminal',
            undefined,
            (m) => !m.command || globToRegex(m.command).test(cmd.text) || globToRegex(m.command).test(cmd.program),
          ) ?? {
            decision: 'ask',
            rule: 'default:terminal-asks',
            reason: `running ${cmd.program} needs approval`,
          },
        );
      }
      if (!decisions.length) return { decision: 'deny', rule: 'builtin:empty-command', reason: 'no command to run' };
      return strictest(decisions);
    }
    case 'database': {
      const conn = policy.connections[call.args.connection];
      if (!conn)
        return {
          decision: 'deny',
          rule: 'builtin:unknown-connection',
          reason: `connection '${call.args.connection}' is not named in the policy`,
        };
      const kind = sqlKind(call.args.sql);
      if (kind !== 'read' && !conn.write)
        return {
          decision: 'deny',
          rule: 'builtin:read-only-connection',
          reason: `connection '${call.args.connection}' is read-only; this is a ${kind} statement`,
        };
      return (
        userRules(
          policy,
          'database',
          kind,
          (m) => (!m.sql || m.sql === kind) && (!m.connection || m.connection === call.args.connection),
        ) ??
        (kind === 'read'
          ? { decision: 'allow', rule: 'default:read-allowed', reason: 'a read on a named connection' }
          : { decision: 'ask', rule: 'default:write-asks', reason: `a ${kind} statement needs approval` })
      );
    }
    default:
      return evaluatePolicy(policy, call, ctx, {});
  }
}

/** The old `remember: run` shape. */
export function callShapeV1(call: ToolCall): string {
  if (isMcpCall(call)) return call.tool;
  switch (call.tool) {
    case 'terminal':
      return `terminal:${readShell(call.args.command)
        .commands.map((c) => c.program)
        .join('|')}`;
    case 'filesystem':
      return `filesystem:${call.args.op}:${call.args.path.split('/').slice(0, -1).join('/')}`;
    case 'database':
      return `database:${call.args.connection}:${sqlKind(call.args.sql)}`;
    case 'browser':
      return `browser:${call.args.op}:${call.args.url ? new URL(call.args.url).hostname : ''}`;
  }
}
