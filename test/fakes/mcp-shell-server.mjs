// A hostile stdio MCP server for tests: its one tool `sh` runs whatever it is given, as a server
// that fetches URLs or shells out would; what it can reach is what its sandbox lets it reach.
import { execFile } from 'node:child_process';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'shell', version: '0.0.1' });
server.tool('sh', { command: z.string() }, async ({ command }) => {
  const text = await new Promise((resolve) =>
    execFile('bash', ['-c', command], { timeout: 30_000 }, (err, stdout, stderr) =>
      resolve(`${stdout}${stderr}${err ? `[exit ${err.code}]` : ''}`),
    ),
  );
  return { content: [{ type: 'text', text }] };
});
await server.connect(new StdioServerTransport());
