// The MCP servers the policy declares (the ones agents use): each with the tools it lists now, and a person's test call.
import { z } from 'zod';
import { redactText } from '../../core/redact.js';
import { readPolicy } from '../../db/policy-file.js';
import { judgeToolCall } from '../../judge/index.js';
import { callMcpTool, discoverMcpTools } from '../../mcp/client.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';

const testCallBody = z.strictObject({ tool: z.string().min(1), args: z.record(z.string(), z.unknown()).default({}) });

/** Every declared server with the tools it lists now (or why it cannot). */
export async function listMcpServers(ctx: AppContext) {
  const policy = readPolicy(ctx.config.tools.policyPath);
  return Promise.all(
    Object.entries(policy.mcpServers).map(async ([name, spec]) => {
      try {
        const tools = await discoverMcpTools([`mcp:${name}`], policy.mcpServers, ctx.config.tools);
        return { name, transport: spec.transport, ok: true, tools };
      } catch (err) {
        return { name, transport: spec.transport, ok: false, error: (err as Error).message, tools: [] };
      }
    }),
  );
}

/** The server a path names, as the policy declares it now (a 404 when it does not). */
export function loadMcpServer(ctx: AppContext, name: string) {
  const policy = readPolicy(ctx.config.tools.policyPath);
  const spec = policy.mcpServers[name];
  if (!spec) throw new AppError(404, 'not_found', `MCP server '${name}' is not declared in the policy`);
  return { name, spec, policy };
}

export type McpServer = ReturnType<typeof loadMcpServer>;

/** A person's test call from the dashboard: the policy's built-ins still refuse what they refuse. */
export async function testMcpCall(ctx: AppContext, server: McpServer, body: unknown) {
  const req = testCallBody.parse(body);
  const call = { tool: `mcp:${server.name}/${req.tool}` as const, args: req.args };
  const { decision } = await judgeToolCall(server.policy, call, ctx.config.tools);
  if (decision.decision === 'deny') throw new AppError(409, 'policy_denied', `${decision.rule}: ${decision.reason}`);
  const result = await callMcpTool(server.name, server.spec, req.tool, req.args, ctx.config.tools, undefined, false);
  return { decision, ok: result.ok, output: redactText(result.output, ctx.secrets.list()) };
}
