// MCP both ways over HTTP: `/mcp` is the harness's own MCP server (streamable HTTP, stateless,
// behind the token); `/api/mcp/*` manages what it exposes and shows the MCP servers agents use.
import Router from '@koa/router';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { readJson } from '../body.js';
import type { AppContext } from '../context.js';
import { harnessMcpServer } from '../mcp/harness-server.js';
import { exposeTarget, listExposed, unexposeTarget } from '../services/mcp-exposures.js';
import { listMcpServers, testMcpCall } from '../services/mcp-servers.js';
import { mcpServerRouter } from './resources.js';

export function mcpRoutes(app: AppContext): Router[] {
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

  r.get('/api/mcp/exposed', async (ctx) => (ctx.body = await listExposed(app)));
  r.post('/api/mcp/exposed', async (ctx) => {
    ctx.body = await exposeTarget(app, await readJson(ctx));
    ctx.status = 201;
  });
  r.delete('/api/mcp/exposed/:kind/:name', async (ctx) => {
    await unexposeTarget(app, ctx.params.kind!, ctx.params.name!);
    ctx.status = 204;
  });

  r.get('/api/mcp/servers', async (ctx) => (ctx.body = await listMcpServers(app)));
  return [r, mcpServerCallRoutes(app)] as Router[];
}

/** A person's test call from the dashboard to one declared server (ctx.state.server). */
function mcpServerCallRoutes(app: AppContext) {
  const server = mcpServerRouter(app);
  server.post('/call', async (ctx) => (ctx.body = await testMcpCall(app, ctx.state.server, await readJson(ctx))));
  return server;
}
