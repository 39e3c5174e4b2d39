// A test MCP server over streamable HTTP, stateless: each request gets a fresh SDK server from `serverFor` (as the
// official examples serve), after `saw` has seen each JSON-RPC message it carries.
import http from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { freePort } from './ports.js';

type Message = { method?: string; params?: { name?: string; arguments?: Record<string, unknown>; task?: unknown } };

export async function serveMcpStateless(
  serverFor: () => McpServer,
  saw: (m: Message) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const httpServer = http.createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const parsed = body ? JSON.parse(body) : undefined;
    for (const m of [parsed].flat()) if (m) saw(m as Message);
    const server = serverFor();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, parsed);
  });
  const port = await freePort();
  await new Promise<void>((r) => httpServer.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () => new Promise((r) => (httpServer.closeAllConnections(), httpServer.close(() => r()))),
  };
}
