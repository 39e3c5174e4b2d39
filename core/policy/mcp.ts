// MCP servers' tools: the server must be declared, path-like arguments pass the workspace guard,
// and rules name tools by glob (`mcp:<server>/*`) and may match arguments.
import { globMatches } from '../glob.js';
import { fileUrlPath, looksLikePath } from '../shell-facts.js';
import { guardPath } from './paths.js';
import { ruleName, strictest } from './rules.js';
import type { Policy, PolicyContext, PolicyDecision } from './spec.js';

/** A call of an MCP server's tool: `mcp:<server>/<tool>` with the tool's own arguments. */
export const MCP_TOOL = /^mcp:([A-Za-z0-9_-]{1,32})\/([A-Za-z0-9_.:-]{1,64})$/;

/** Every string inside an MCP call's arguments, with where it sits (`path`, `paths[1]` …). */
function argumentStrings(value: unknown, at: string, out: Array<[string, string]>): Array<[string, string]> {
  if (typeof value === 'string') out.push([at, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => argumentStrings(v, `${at}[${i}]`, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) argumentStrings(v, at ? `${at}.${k}` : k, out);
  return out;
}

/**
 * An MCP tool call: the server must be declared; string arguments that name paths are judged by the
 * workspace guard before the server sees them; rules name `mcp:<server>/<tool>` (globs) and may
 * match arguments; with no rule, the call asks.
 */
export function judgeMcp(
  policy: Policy,
  ctx: PolicyContext,
  call: { tool: string; args: Record<string, unknown> },
): PolicyDecision {
  const [, server] = MCP_TOOL.exec(call.tool)!;
  const spec = policy.mcpServers[server!];
  if (!spec)
    return {
      decision: 'deny',
      rule: 'builtin:unknown-mcp-server',
      reason: `MCP server '${server}' is not declared in the policy`,
    };
  if (spec.pathArguments) {
    for (const [at, value] of argumentStrings(call.args, '', [])) {
      const candidate = fileUrlPath(value) ?? (looksLikePath(value) || value.startsWith('.') ? value : undefined);
      if (candidate === undefined) continue;
      const { denied } = guardPath(ctx, candidate, `${call.tool}: ${at} = ${value}`);
      if (denied) return denied;
    }
  }
  const hits = policy.rules.filter(
    (r) =>
      (r.tool === '*' || (r.tool.startsWith('mcp:') && globMatches(r.tool, call.tool, 'text'))) &&
      Object.entries(r.match?.arguments ?? {}).every(
        ([k, glob]) =>
          k in call.args &&
          globMatches(
            glob,
            typeof call.args[k] === 'string' ? (call.args[k] as string) : JSON.stringify(call.args[k]),
            'text',
          ),
      ),
  );
  if (hits.length)
    return strictest(
      hits.map((r) => ({
        decision: r.action,
        rule: ruleName(policy, r),
        reason: r.description ?? `rule ${ruleName(policy, r)}`,
      })),
    );
  return { decision: 'ask', rule: 'default:mcp-asks', reason: `calling ${call.tool} needs approval` };
}
