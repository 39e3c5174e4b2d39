// MCP both ways over HTTP: `/mcp` is the harness's own MCP server (streamable HTTP, stateless,
// behind the token); `/api/mcp/*` manages what it exposes and shows the MCP servers agents use.
import Router from '@koa/router';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { discoverMcpTools, callMcpTool } from '../../mcp/client.js';
import { judgeToolCall } from '../../judge/index.js';
import { redactText } from '../../core/redact.js';
import { readPolicy } from '../../db/policy-file.js';
import { expose, listExposures, unexpose } from '../../db/repositories/mcp-exposures.js';
import * as datasets from '../../db/repositories/datasets.js';
import { components, pipelines } from '../../db/repositories/versioned.js';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { exposedTools, harnessMcpServer } from '../mcp/harness-server.js';

const exposureBody = z.strictObject({ kind: z.enum(['component', 'pipeline', 'dataset']), name: z.string().min(1), version: z.int().positive().optional() });
const testCallBody = z.strictObject({ tool: z.string().min(1), args: z.record(z.string(), z.unknown()).default({}) });

export function mcpRoutes(app: AppContext): Router {
  const r = new Router();
  r.all('/mcp', async (ctx) => {
    // The body is read here, with the API's size and depth limits (a 400 in our shape), not by the SDK without them.
    const parsed = ctx.method === 'POST' ? await readJson(ctx) : undefined;
    const server = harnessMcpServer(app);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    ctx.respond = false;
    ctx.res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(ctx.req, ctx.res, parsed);
  });

  r.get('/api/mcp/exposed', async (ctx) => {
    ctx.body = { exposed: await listExposures(app.store), tools: (await exposedTools(app)).map((t) => ({ name: t.name, title: t.title, target: t.target })) };
  });
  r.post('/api/mcp/exposed', async (ctx) => {
    const e = exposureBody.parse(await readJson(ctx));
    // Only what exists can be exposed: a pinned version must exist too.
    if (e.kind === 'component') await components.getVersion(app.store, e.name, e.version);
    else if (e.kind === 'pipeline') await pipelines.getVersion(app.store, e.name, e.version);
    else if (e.version) throw new AppError(400, 'invalid_request', 'a dataset has no versions');
    else await datasets.getDataset(app.store, e.name);
    await expose(app.store, e);
    ctx.status = 201;
    ctx.body = e;
  });
  r.delete('/api/mcp/exposed/:kind/:name', async (ctx) => {
    const kind = exposureBody.shape.kind.parse(ctx.params.kind);
    if (!(await unexpose(app.store, kind, ctx.params.name!))) throw new AppError(404, 'not_found', `${kind} '${ctx.params.name}' is not exposed`);
    ctx.status = 204;
  });

  /** The MCP servers the policy declares, each with the tools it lists now (or why it cannot). */
  r.get('/api/mcp/servers', async (ctx) => {
    const policy = readPolicy(app.config.tools.policyPath);
    ctx.body = await Promise.all(
      Object.entries(policy.mcpServers).map(async ([name, spec]) => {
        try {
          const tools = await discoverMcpTools([`mcp:${name}`], policy.mcpServers, app.config.tools);
          return { name, transport: spec.transport, ok: true, tools };
        } catch (err) {
          return { name, transport: spec.transport, ok: false, error: (err as Error).message, tools: [] };
        }
      }),
    );
  });
  /** A person's test call from the dashboard: the policy's built-ins still refuse what they refuse. */
  r.post('/api/mcp/servers/:name/call', async (ctx) => {
    const body = testCallBody.parse(await readJson(ctx));
    const policy = readPolicy(app.config.tools.policyPath);
    const server = ctx.params.name!;
    const spec = policy.mcpServers[server];
    if (!spec) throw new AppError(404, 'not_found', `MCP server '${server}' is not declared in the policy`);
    const call = { tool: `mcp:${server}/${body.tool}` as const, args: body.args };
    const { decision } = await judgeToolCall(policy, call, app.config.tools);
    if (decision.decision === 'deny') throw new AppError(409, 'policy_denied', `${decision.rule}: ${decision.reason}`);
    const result = await callMcpTool(server, spec, body.tool, body.args, app.config.tools);
    ctx.body = { decision, ok: result.ok, output: redactText(result.output, app.secrets.list()) };
  });
  return r;
}
