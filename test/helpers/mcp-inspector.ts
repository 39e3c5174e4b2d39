// The official MCP Inspector's connection CLI (mcpdo, Inspector 2.12, installed by `npm run setup:test-tools` and run
// on the Node 24 beside it): a private, token-gated daemon per use, in a home of its own, secrets kept in memory.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { NODE24, testToolModule } from './test-tools.js';

const run = promisify(execFile);
const MCPDO = testToolModule(
  'mcp-inspector',
  '@modelcontextprotocol',
  'inspector',
  'clients',
  'mcpdo',
  'build',
  'mcp-bin.js',
);

export type Mcpdo = Awaited<ReturnType<typeof startMcpdo>>;

export async function startMcpdo() {
  for (const f of [NODE24, MCPDO])
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run 'npm run setup:test-tools'`);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-mcpdo-'));
  const base = { ...process.env, HOME: home, MCP_CATALOG_PATH: path.join(home, 'mcp.json') };
  const env: NodeJS.ProcessEnv = { ...base, MCP_INSPECTOR_SECRET_STORE: 'memory' };
  // `mcpdo private` prints the exports of an isolated daemon: this use's own, not the machine's.
  for (const m of (await run(NODE24, [MCPDO, 'private'], { env: base })).stdout.matchAll(/export (\w+)='([^']*)'/g))
    env[m[1]!] = m[2]!;
  /** One mcpdo command; its JSON answer (`--format json`), or an error with what it printed. */
  const mcpdo = async (...args: string[]) => {
    try {
      const { stdout } = await run(NODE24, [MCPDO, ...args, '--format', 'json'], { env, timeout: 120_000 });
      return JSON.parse(stdout);
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`mcpdo ${args.join(' ')}: ${e.stdout || ''}${e.stderr || ''}`.trim() || e.message);
    }
  };
  const background: ChildProcess[] = [];
  return {
    mcpdo,
    /** A command left running (a tools/call as a task waits for its result): how it ends is not this test's. */
    inBackground(...args: string[]) {
      const child = spawn(NODE24, [MCPDO, ...args], { env, stdio: 'ignore' });
      child.on('error', () => {});
      background.push(child);
    },
    /** Stop what runs in the background and the daemon, and remove its home. */
    async stop() {
      for (const child of background) child.kill('SIGKILL');
      await run(NODE24, [MCPDO, 'daemon', 'stop'], { env }).catch(() => undefined);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
