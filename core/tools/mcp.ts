// MCP servers' tools, one object for the family: `mcp:<server>/<tool>` with the tool's own arguments
// (its schema is the server's, pinned into the run); the server must be declared in the policy.
import { z } from 'zod';
import { MCP_TOOL } from '../policy/mcp.js';
import { defineTool } from './define.js';

export const mcp = defineTool({
  name: 'mcp',
  names: MCP_TOOL,
  description: "An MCP server's tool, as the server describes it.",
  args: z.record(z.string(), z.unknown()),
  facts: (args) => ({ kind: 'mcp', args }),
  sandbox: 'none',
  shape: (_args, _read, _decision, tool) => tool,
  async execute(args, run) {
    const [, server, tool] = MCP_TOOL.exec(run.tool)!;
    return run.services.mcp(server!, run.policy.mcpServers[server!]!, tool!, args);
  },
});
