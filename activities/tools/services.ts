// What the worker lends a tool object to reach the machine (core/tools/define.ts ToolServices): the
// OS sandbox and its judging network proxy, the workspace's checked files, connections, the run's
// browser page and the MCP sessions. Each confines itself; the tool decides what to ask of it.
import type { ToolsConfig } from '../../config/index.js';
import type { Policy, PolicyContext } from '../../core/policy.js';
import type { AnyTool, CommandOutcome, ToolServices } from '../../core/tools/define.js';
import { terminalEnv } from '../../judge/index.js';
import { callMcpTool } from '../../mcp/client.js';
import { proxiedSandboxArgv, startCommandProxy } from '../../sandbox/network/index.js';
import { sandboxArgv, sandboxStatus } from '../../sandbox/index.js';
import { runBrowser } from './browser.js';
import { runQuery } from './database.js';
import { runFilesystem } from './filesystem.js';
import { runTerminal } from './terminal.js';

/** A tool's output is cut to this for the model; a command may produce twice as much before it is cut. */
export const OUTPUT_CAP = 16_000;

export interface ServiceScope {
  runId: string;
  callId: string;
  tool: AnyTool;
  policy: Policy;
  context: PolicyContext;
  tools: ToolsConfig;
  signal: AbortSignal;
}

/**
 * Under the sandbox the command's namespace stays empty: the network, when granted, goes only through a
 * proxy that judges every host and port. Without the sandbox the output says so.
 */
async function runCommand(
  s: ServiceScope,
  command: string,
  o: { network: boolean; approved: boolean },
): Promise<CommandOutcome> {
  if (s.tool.sandbox !== 'os')
    throw new Error(`the tool ${s.tool.name} does not run under the OS sandbox, so it runs no commands`);
  const sandbox = sandboxStatus(s.tools);
  const proxy =
    sandbox.active && o.network
      ? await startCommandProxy({ policy: s.policy, approved: o.approved, endpoints: s.tools.harnessEndpoints })
      : undefined;
  const argv = !sandbox.active
    ? undefined
    : proxy
      ? proxiedSandboxArgv(sandbox, s.tools, proxy)
      : sandboxArgv(sandbox, s.tools, { network: false });
  const env = terminalEnv(s.tools, s.context.workspace);
  const r = await runTerminal(command, s.context.workspace, {
    env,
    timeoutMs: 60_000,
    maxBytes: OUTPUT_CAP * 2,
    signal: s.signal,
    ...(argv ? { sandbox: argv } : {}),
  }).finally(() => proxy?.close());
  return { ...r, refused: proxy?.refused ?? [], ...(sandbox.active ? {} : { unsandboxed: String(sandbox.reason) }) };
}

export function toolServices(s: ServiceScope): ToolServices {
  return {
    command: (command, o) => runCommand(s, command, o),
    files: (target, args) => runFilesystem(s.context, target, args),
    query: (connection, sql, o) => runQuery(connection, sql, s.context, o),
    browse: (args, allowHost) =>
      runBrowser(s.runId, s.callId, args, {
        allowHost,
        reservedPorts: s.tools.harnessEndpoints.map((e) => e.port),
        artifactsDir: s.tools.artifactsDir,
        chromiumPath: s.tools.chromiumPath,
      }),
    mcp: (server, spec, tool, args) => callMcpTool(server, spec, tool, args, s.tools, s.signal),
  };
}
