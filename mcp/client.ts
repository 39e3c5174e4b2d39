// MCP servers' tools for agents: one client session per declared server, held by this worker
// process (connected on first use, dropped when its transport closes, reconnected on the next
// call), stdio servers optionally under the terminal's OS sandbox.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { ToolsConfig } from '../config/index.js';
import { MCP_TOOL, type McpServerSpec } from '../core/policy.js';
import type { McpToolInfo } from '../core/react.js';
import type { ToolOutcome } from '../core/tools/define.js';
import { readPolicy } from '../db/policy-file.js';
import { terminalEnv } from '../judge/index.js';
import { judgeDestination, startNetworkProxy, type NetworkProxy } from '../sandbox/network/index.js';
import { sandboxEnv, sandboxPrefix, sandboxStatus } from '../sandbox/index.js';

const sessions = new Map<string, Promise<Client>>();

function headersOf(
  spec: Extract<McpServerSpec, { transport: 'http' }>,
  env: Record<string, string | undefined>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(spec.headers).map(([k, v]) => {
      if (typeof v === 'string') return [k, v];
      const value = env[v.env];
      if (value === undefined)
        throw new Error(`the header ${k} of this MCP server needs ${v.env} in the worker's environment`);
      return [k, value];
    }),
  );
}

async function connect(name: string, spec: McpServerSpec, tools: ToolsConfig): Promise<Client> {
  const client = new Client({ name: 'vloop-harness', version: '0.1.0' });
  let transport;
  let proxy: NetworkProxy | undefined;
  if (spec.transport === 'stdio') {
    const sandbox = sandboxStatus(tools);
    if (spec.sandbox && !sandbox.active)
      throw new Error(`MCP server '${name}' must run sandboxed, and the sandbox is not active: ${sandbox.reason}`);
    proxy = spec.sandbox && spec.network ? await serverProxy(tools) : undefined;
    const prefix = spec.sandbox
      ? [
          ...sandboxPrefix(sandbox, tools, { network: false, ...(proxy ? { binds: proxy.sandbox.binds } : {}) }),
          ...(proxy?.sandbox.launcher ?? []),
        ]
      : [];
    const [command, ...args] = [...prefix, spec.command, ...spec.args];
    const env = { ...terminalEnv(tools, tools.workspace), ...spec.env };
    transport = new StdioClientTransport({
      command: command!,
      args,
      env: prefix.length ? sandboxEnv(env) : env,
      cwd: tools.workspace,
      stderr: 'ignore',
    });
  } else {
    transport = new StreamableHTTPClientTransport(new URL(spec.url), {
      requestInit: { headers: headersOf(spec, tools.hostEnv) },
    });
  }
  // The proxy lives as long as the server's session (set before connecting: the client chains it).
  if (proxy) transport.onclose = () => void proxy!.close();
  try {
    await client.connect(transport);
  } catch (err) {
    await proxy?.close();
    throw err;
  }
  return client;
}

/**
 * A sandboxed server declared with `network: true` reaches the network as an approved command does:
 * through a proxy that judges each host and port with the policy as it stands at each connection,
 * never the harness's or Temporal's listeners, never loopback unless a rule names it exactly.
 */
function serverProxy(tools: ToolsConfig): Promise<NetworkProxy> {
  return startNetworkProxy((host, port) =>
    judgeDestination(
      { policy: readPolicy(tools.policyPath), approved: true, endpoints: tools.harnessEndpoints },
      host,
      port,
    ),
  );
}

/** The server's session: reused while its transport lives. */
function session(name: string, spec: McpServerSpec, tools: ToolsConfig): Promise<Client> {
  const key = `${name}:${JSON.stringify(spec)}`;
  const known = sessions.get(key);
  if (known) return known;
  const opened = connect(name, spec, tools).then((client) => {
    client.onclose = () => sessions.delete(key);
    return client;
  });
  opened.catch(() => sessions.delete(key));
  sessions.set(key, opened);
  return opened;
}

/** Every tool the server lists, page by page. */
async function listAllTools(client: Client): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}

/** Which tools of which server a component names: `mcp:<server>` is all of them, `mcp:<server>/<tool>` one. */
function wantedTools(entries: string[]): Map<string, Set<string> | 'all'> {
  const wanted = new Map<string, Set<string> | 'all'>();
  for (const e of entries) {
    const [server, tool] = e.slice(4).split('/') as [string, string | undefined];
    const prev = wanted.get(server);
    if (!tool || prev === 'all') wanted.set(server, 'all');
    else wanted.set(server, new Set([...(prev ?? []), tool]));
  }
  return wanted;
}

/** One server's tools, page by page, as named in a run (`mcp:<server>/<tool>`); a named tool it lacks is an error. */
async function serverTools(server: string, which: Set<string> | 'all', client: Client): Promise<McpToolInfo[]> {
  const out: McpToolInfo[] = (await listAllTools(client))
    .filter((t) => which === 'all' || which.has(t.name))
    .map((t) => ({
      name: `mcp:${server}/${t.name}`,
      description: t.description ?? t.title,
      inputSchema: t.inputSchema as McpToolInfo['inputSchema'],
    }));
  const named = out.filter((o) => MCP_TOOL.test(o.name));
  if (which !== 'all')
    for (const t of which)
      if (!named.some((o) => o.name === `mcp:${server}/${t}`))
        throw new Error(`MCP server '${server}' has no tool '${t}'`);
  return named;
}

/** The tools of the servers a component names (`mcp:<server>` or `mcp:<server>/<tool>`), as pinned into a run. */
export async function discoverMcpTools(
  entries: string[],
  servers: Record<string, McpServerSpec>,
  tools: ToolsConfig,
): Promise<McpToolInfo[]> {
  const out: McpToolInfo[] = [];
  for (const [server, which] of wantedTools(entries)) {
    const spec = servers[server];
    if (!spec) throw new UnknownMcpServer(server);
    out.push(...(await serverTools(server, which, await session(server, spec, tools))));
  }
  return out;
}

export class UnknownMcpServer extends Error {
  constructor(server: string) {
    super(`MCP server '${server}' is not declared in the policy (mcpServers)`);
  }
}

/** How long a server keeps a task we started: a day, longer than any wait a run should make. */
const TASK_TTL_MS = 24 * 3_600_000;
const FALLBACK_POLL_MS = 2_000;

/** What a server's listing says of one tool beyond its schema: whether it runs as a task, and its MCP App. */
export interface ToolFacts {
  taskSupport: string;
  /** The tool's view (MCP Apps `_meta.ui.resourceUri`), a `ui://` URI. */
  resourceUri?: string;
  /** Who may call it (MCP Apps `_meta.ui.visibility`): a tool only the model sees is not an app's to call. */
  visibility: string[];
}

const toolFacts = new WeakMap<Client, Promise<Map<string, ToolFacts>>>();

/** A tool's view as its listing names it (the current `ui.resourceUri`, or the older flat `ui/resourceUri`). */
function factsOf(t: { _meta?: Record<string, unknown> | undefined; execution?: { taskSupport?: string } }): ToolFacts {
  const ui = (t._meta?.ui ?? {}) as { resourceUri?: unknown; visibility?: unknown };
  const uri = ui.resourceUri ?? t._meta?.['ui/resourceUri'];
  const visibility = Array.isArray(ui.visibility) ? ui.visibility.filter((v) => typeof v === 'string') : [];
  return {
    taskSupport: t.execution?.taskSupport ?? 'forbidden',
    ...(typeof uri === 'string' && uri.startsWith('ui://') ? { resourceUri: uri } : {}),
    visibility: visibility.length ? visibility : ['model', 'app'],
  };
}

/** Each session's tools' facts, as last listed. */
async function listToolFacts(client: Client): Promise<Map<string, ToolFacts>> {
  return new Map((await listAllTools(client)).map((t) => [t.name, factsOf(t)]));
}

/** One tool's facts. The list is kept per session, dropped when listing fails and listed again when it lacks the tool. */
async function factsFor(client: Client, tool: string): Promise<ToolFacts | undefined> {
  const listed = () => {
    const fresh = listToolFacts(client);
    toolFacts.set(client, fresh);
    fresh.catch(() => toolFacts.delete(client));
    return fresh;
  };
  let known = await (toolFacts.get(client) ?? listed());
  if (!known.has(tool)) known = await listed();
  return known.get(tool);
}

/** Whether the server runs this tool as a task: it offers tasks for tools/call and the tool accepts one. */
function runsAsTask(client: Client, facts: ToolFacts | undefined): boolean {
  if (!client.getServerCapabilities()?.tasks?.requests?.tools?.call) return false;
  return ['optional', 'required'].includes(facts?.taskSupport ?? 'forbidden');
}

/** The app a tool's answer carries: its view, for the run page to show. */
const appOf = (facts: ToolFacts | undefined) => (facts?.resourceUri ? { app: { resourceUri: facts.resourceUri } } : {});

/** A tool's result as the model reads it: text (images and resources named, structured content as JSON). */
function resultText(result: CallToolResult): { ok: boolean; output: string } {
  const parts: string[] = [];
  for (const c of (result.content ?? []) as Array<Record<string, unknown>>) {
    if (c.type === 'text') parts.push(String(c.text));
    else if (c.type === 'image' || c.type === 'audio') parts.push(`[${c.type} ${String(c.mimeType)}]`);
    else if (c.type === 'resource') {
      const r = c.resource as { uri?: string; text?: string };
      parts.push(r.text ?? `[resource ${r.uri}]`);
    } else if (c.type === 'resource_link') parts.push(`[resource ${String(c.uri)}]`);
  }
  if (!parts.length && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent));
  return { ok: !result.isError, output: parts.join('\n') };
}

/**
 * Call one tool. A server that runs it as a task answers at once with the task, and the outcome names it: the run
 * then waits durably (no connection held) and reads the result with mcpTaskResult.
 */
export async function callMcpTool(
  server: string,
  spec: McpServerSpec,
  tool: string,
  args: Record<string, unknown>,
  tools: ToolsConfig,
  signal?: AbortSignal,
  /** Start it as a task when the server can (a run waits for it); a person's test call waits for the answer. */
  asTask = true,
): Promise<ToolOutcome> {
  const client = await session(server, spec, tools);
  const options = { ...(signal ? { signal } : {}), timeout: 5 * 60_000 };
  // A server whose listing fails is still called: as a plain call, without an app.
  const facts = await factsFor(client, tool).catch(() => undefined);
  if (asTask && runsAsTask(client, facts)) {
    const { task } = await client.request(
      { method: 'tools/call', params: { name: tool, arguments: args, task: { ttl: TASK_TTL_MS } } },
      CreateTaskResultSchema,
      options,
    );
    const ref = { server, taskId: task.taskId, pollMs: task.pollInterval ?? FALLBACK_POLL_MS, ...appOf(facts) };
    return { ok: true, output: `started as MCP task ${task.taskId}`, task: ref };
  }
  const result = (await client.callTool({ name: tool, arguments: args }, undefined, options)) as CallToolResult;
  return { ...resultText(result), ...appOf(facts) };
}

/** Where a task stands on its server. */
export async function mcpTaskStatus(server: string, spec: McpServerSpec, taskId: string, tools: ToolsConfig) {
  const task = await (await session(server, spec, tools)).experimental.tasks.getTask(taskId);
  return { status: task.status, ...(task.statusMessage ? { statusMessage: task.statusMessage } : {}) };
}

/** An ended task's result, read as a plain call's would be. */
export async function mcpTaskResult(server: string, spec: McpServerSpec, taskId: string, tools: ToolsConfig) {
  const client = await session(server, spec, tools);
  return resultText(await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema));
}

/** Ask the server to stop a task the run no longer waits for. */
export async function cancelMcpTask(server: string, spec: McpServerSpec, taskId: string, tools: ToolsConfig) {
  await (await session(server, spec, tools)).experimental.tasks.cancelTask(taskId);
}

/** An MCP App's view as its server serves it: the HTML and what its `_meta.ui` asks of the host. */
export interface McpAppView {
  html: string;
  mimeType: string;
  /** `_meta.ui.csp` as the server declared it (the host decides what of it to grant). */
  csp: Record<string, unknown>;
}

/** The MIME type of an MCP App's view (MCP Apps, SEP-1865). */
export const MCP_APP_MIME = 'text/html;profile=mcp-app';

/** Read a tool's `ui://` view from its server; anything but one HTML document of the MCP Apps type is refused. */
export async function readMcpAppView(
  server: string,
  spec: McpServerSpec,
  uri: string,
  tools: ToolsConfig,
): Promise<McpAppView> {
  const client = await session(server, spec, tools);
  const { contents } = await client.readResource({ uri }, { timeout: 30_000 });
  const doc = contents.find((c) => c.uri === uri) ?? contents[0];
  if (!doc) throw new Error(`MCP server '${server}' answered ${uri} with nothing`);
  const mimeType = String(doc.mimeType ?? '');
  if (mimeType.replace(/\s+/g, '') !== MCP_APP_MIME)
    throw new Error(`MCP server '${server}' serves ${uri} as '${mimeType}', not ${MCP_APP_MIME}`);
  const html = 'text' in doc ? String(doc.text) : Buffer.from(String(doc.blob), 'base64').toString('utf8');
  const ui = ((doc._meta ?? {}) as { ui?: { csp?: unknown } }).ui;
  const csp = ui?.csp && typeof ui.csp === 'object' ? (ui.csp as Record<string, unknown>) : {};
  return { html, mimeType, csp };
}

/** A tool its server lists for the model only (MCP Apps `visibility`): an app may not call it. */
export class NotForApps extends Error {
  constructor(server: string, tool: string) {
    super(`the tool '${tool}' of MCP server '${server}' is for the model only, not for apps to call`);
  }
}

/** A call an app makes: only a tool its server lists for apps; the server's answer whole (the app reads its structure). */
export async function callToolForApp(
  server: string,
  spec: McpServerSpec,
  tool: string,
  args: Record<string, unknown>,
  tools: ToolsConfig,
): Promise<CallToolResult> {
  const client = await session(server, spec, tools);
  const facts = await factsFor(client, tool);
  if (!facts) throw new Error(`MCP server '${server}' has no tool '${tool}'`);
  if (!facts.visibility.includes('app')) throw new NotForApps(server, tool);
  return (await client.callTool({ name: tool, arguments: args }, undefined, { timeout: 5 * 60_000 })) as CallToolResult;
}

/** End every session this process holds (the worker is stopping). */
export async function closeMcpSessions(): Promise<void> {
  const open = [...sessions.values()];
  sessions.clear();
  await Promise.all(open.map((s) => s.then((c) => c.close()).catch(() => {})));
}
