// Run `temporal server start-dev` with a persisted SQLite file (WAL) and wait until it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startUiProxy, loopbackPort, type UiProxy } from './ui-proxy.js';
import { endWithThisProcess } from './watchdog.js';

export interface DevServerOptions {
  dbFile: string;
  port: number;
  uiPort: number;
  namespace?: string;
  logFile?: string;
  /** The temporal binary (found by the caller: findTemporalCli / provisionTemporalCli). */
  cliPath: string;
  dynamicConfig?: string[];
  /** Leave the history queue readers at Temporal's defaults (the floor benchmark compares). */
  untuned?: boolean;
  /** Our codec endpoint, so the Temporal UI can decrypt payloads for a person holding the token (the UI is then served through ui-proxy.ts). */
  codecEndpoint?: string | undefined;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Interactive latency: the history service reads its task queues at 20 polls/s by default, so every
 * workflow task after the first few waits 20-50 ms to be loaded (task_latency_load for
 * TransferActiveTaskWorkflowTask in the dev server's metrics). Raised, a step costs what its work costs.
 */
export const INTERACTIVE_DYNAMIC_CONFIG = [
  'history.transferProcessorMaxPollRPS=10000',
  'history.timerProcessorMaxPollRPS=10000',
  'history.visibilityProcessorMaxPollRPS=10000',
];

export function devServerArgs(o: Omit<DevServerOptions, 'cliPath'>): string[] {
  const args = [
    'server',
    'start-dev',
    ...(o.dbFile ? ['--db-filename', o.dbFile] : []),
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
  ];
  args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL', '--log-level', 'warn');
  // Eager activity dispatch hands a scheduled activity straight back to the worker that asked: fewer hops per step.
  const tuning = o.untuned ? [] : INTERACTIVE_DYNAMIC_CONFIG;
  for (const dc of ['system.enableActivityEagerExecution=true', ...tuning, ...(o.dynamicConfig ?? [])])
    args.push('--dynamic-config-value', dc);
  if (o.namespace && o.namespace !== 'default') args.push('--namespace', o.namespace);
  if (o.codecEndpoint) args.push('--ui-codec-endpoint', o.codecEndpoint);
  return args;
}

/** Poll the frontend's health check until it is serving or the deadline passes. */
export async function waitForTemporal(address: string, timeoutMs = 60_000, child?: ChildProcess): Promise<void> {
  // Loaded here: the client's gRPC stack is most of a short command's start.
  const { Connection } = await import('@temporalio/client');
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`the Temporal dev server exited with code ${child.exitCode} before it was ready`);
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await conn.healthService.check({});
        await conn.workflowService.getSystemInfo({});
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not become healthy within ${timeoutMs} ms: ${String(lastError)}`);
}

const TAIL_BYTES = 4096;

/** The end of a log file (this start's lines are the last ones appended). */
function logTail(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, TAIL_BYTES));
    fs.readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  const cli = o.cliPath;
  if (o.dbFile) fs.mkdirSync(path.dirname(o.dbFile), { recursive: true, mode: 0o700 });
  const out = o.logFile ? fs.openSync(o.logFile, 'a', 0o600) : 'pipe';
  // With a codec, the UI listens on a loopback port of its own and its public port is the proxy that turns the codec's credentials on.
  const innerUiPort = o.codecEndpoint ? await loopbackPort() : o.uiPort;
  const child = spawn(cli, devServerArgs({ ...o, uiPort: innerUiPort }), {
    stdio: ['ignore', out, out],
    detached: false,
  });
  endWithThisProcess(child); // a crash or SIGKILL of this process leaves no dev server behind
  if (typeof out === 'number') fs.closeSync(out); // the child holds its own copy
  // Without a log file, the last few KB of its output are kept, so a failed start says why.
  let recent = '';
  const keep = (chunk: Buffer) => void (recent = (recent + chunk.toString('utf8')).slice(-TAIL_BYTES));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const address = `127.0.0.1:${o.port}`;
  let proxy: UiProxy | undefined;
  try {
    await waitForTemporal(address, 60_000, child);
    if (o.codecEndpoint) proxy = await startUiProxy({ host: '127.0.0.1', port: o.uiPort, target: innerUiPort });
  } catch (err) {
    // A server that never became healthy is not left behind: gone, not just signalled, when this throws.
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
    const said = (o.logFile ? logTail(o.logFile) : recent).trim();
    throw new Error(`${(err as Error).message}${said ? `; its last output:\n${said}` : ''}`, { cause: err });
  }
  // The history (names, ids, errors in clear) is private like its log; the server made it, so it is chmodded
  // once ready (an empty file made beforehand would not be given the schema).
  if (o.dbFile)
    for (const f of [o.dbFile, `${o.dbFile}-wal`, `${o.dbFile}-shm`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    address,
    uiUrl: `http://127.0.0.1:${o.uiPort}`,
    process: child,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      await proxy?.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
