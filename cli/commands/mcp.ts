// `harness mcp`: the harness as an MCP server on stdio (a bridge to the backend's `/mcp`, with the
// project's token), and `harness mcp expose|unexpose|list` for what it offers.
import type { Command } from 'commander';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { loadOrCreateToken } from '../../config/token.js';
import { splitRef } from '../../core/run-story/ids.js';
import { api, backendUrl, CliError } from '../client.js';
import { config } from '../config.js';

/** Relay every message between this process's stdio and the backend's streamable HTTP endpoint. */
async function serveStdio(): Promise<void> {
  const token = loadOrCreateToken(config().paths.token, config().api.token);
  const health = await fetch(`${backendUrl()}/api/health`).catch(() => undefined);
  if (!health)
    throw new CliError(
      `the backend is not running at ${backendUrl()}: start it with 'npm start' or 'harness services start'`,
    );
  const remote = new StreamableHTTPClientTransport(new URL(`${backendUrl()}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const local = new StdioServerTransport();
  local.onmessage = (message: JSONRPCMessage) => {
    remote.send(message).catch((err: Error) => {
      if ('id' in message && message.id !== undefined)
        void local.send({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32603, message: `the harness backend did not answer: ${err.message}` },
        });
    });
  };
  remote.onmessage = (message) => void local.send(message);
  local.onclose = () => void remote.close().finally(() => process.exit(0));
  await remote.start();
  await local.start();
  await new Promise(() => {});
}

function parseTarget(kind: string, target: string): { kind: string; name: string; version?: number } {
  if (!['component', 'pipeline', 'dataset'].includes(kind))
    throw new CliError(`kind must be component, pipeline or dataset, got '${kind}'`);
  const { name, at: v } = splitRef(target);
  if (v !== undefined && !/^[1-9]\d*$/.test(v)) throw new CliError(`a pinned version is a positive integer: ${target}`);
  return { kind, name, ...(v ? { version: Number(v) } : {}) };
}

export function mcpCommand(program: Command): void {
  const mcp = program
    .command('mcp')
    .description('serve exposed components and pipelines as MCP tools on stdio (the backend must run)')
    .action(serveStdio);
  mcp
    .command('expose <kind> <target>')
    .description('offer a component or pipeline (name or name@version) or a dataset to MCP clients')
    .action(async (kind: string, target: string) => {
      const e = await api('POST', '/api/mcp/exposed', parseTarget(kind, target));
      console.log(`exposed ${e.kind} ${e.name}${e.version ? `@${e.version}` : ' (latest)'}`);
    });
  mcp
    .command('unexpose <kind> <name>')
    .description('stop offering it')
    .action(async (kind: string, name: string) => {
      await api(
        'DELETE',
        `/api/mcp/exposed/${encodeURIComponent(parseTarget(kind, name).kind)}/${encodeURIComponent(name)}`,
      );
      console.log(`unexposed ${kind} ${name}`);
    });
  mcp
    .command('list')
    .description('what MCP clients see')
    .action(async () => {
      const r = await api('GET', '/api/mcp/exposed');
      for (const t of r.tools as Array<{ name: string; title: string }>) console.log(`${t.name.padEnd(32)} ${t.title}`);
      for (const e of (r.exposed as Array<{ kind: string; name: string }>).filter((x) => x.kind === 'dataset'))
        console.log(`${`vloop://datasets/${e.name}`.padEnd(32)} dataset`);
    });
}
