// An MCP server on the official SDK whose tools ship an MCP App, for attacking the way our run pages show other
// servers' apps: `chart` names a ui:// view that asks for network origins (one fair, some not), `model_only` is for
// the model alone (`visibility: ['model']`), and `plain` has no app. It records every tools/call it gets.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { serveMcpStateless } from './mcp-http.js';

export const CHART_VIEW = 'ui://charts/chart.html';
/** The view's one inline script: the only script its CSP may let run. */
export const CHART_SCRIPT = 'document.title = "chart ready";';

export interface AppMcpServer {
  url: string;
  /** The tools/call requests it received: the tool's name and arguments. */
  calls: Array<{ name: string; args: unknown }>;
  close(): Promise<void>;
}

function appServer(): McpServer {
  const server = new McpServer({ name: 'charts', version: '1.0.0' });
  server.registerTool(
    'chart',
    { description: 'Draws a chart.', inputSchema: { of: z.string() }, _meta: { ui: { resourceUri: CHART_VIEW } } },
    async ({ of }) => ({ content: [{ type: 'text', text: `a chart of ${of}` }] }),
  );
  server.registerTool(
    'model_only',
    { description: 'For the model only.', inputSchema: {}, _meta: { ui: { visibility: ['model'] } } },
    async () => ({ content: [{ type: 'text', text: 'model-only answer' }] }),
  );
  server.registerTool('plain', { description: 'No app.', inputSchema: {} }, async () => ({
    content: [{ type: 'text', text: 'plain answer' }],
  }));
  server.registerResource('chart view', CHART_VIEW, { mimeType: 'text/html;profile=mcp-app' }, async () => ({
    contents: [
      {
        uri: CHART_VIEW,
        mimeType: 'text/html;profile=mcp-app',
        text: `<!doctype html><html><head><title>chart</title><script>${CHART_SCRIPT}</script></head><body>chart</body></html>`,
        _meta: {
          ui: {
            csp: {
              connectDomains: ['https://api.example.com', 'http://127.0.0.1:9', 'https://x.example; script-src *'],
              resourceDomains: ['https://cdn.example.com', 'https://localhost', "'unsafe-eval'"],
            },
          },
        },
      },
    ],
  }));
  return server;
}

export async function startAppMcpServer(): Promise<AppMcpServer> {
  const calls: AppMcpServer['calls'] = [];
  const served = await serveMcpStateless(appServer, (m) => {
    if (m.method === 'tools/call') calls.push({ name: String(m.params?.name), args: m.params?.arguments });
  });
  return { url: served.url, calls, close: served.close };
}
