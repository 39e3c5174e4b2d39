// `harness services start|stop|restart|status [temporal|backend|web|all]`: detached, with pidfiles and logs.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Command } from 'commander';
import { provisionTemporalCli } from '../../temporal/cli-path.js';
import { devServerArgs } from '../../temporal/dev-server.js';
import { temporalServing } from '../../temporal/health.js';
import { backendUrl, CliError } from '../client.js';
import { config } from '../config.js';
import { cliSearch, codecEndpoint, temporalTarget } from '../runtime.js';
import { alive, readStackRecord } from '../stack-record.js';
import { harnessFile } from '../../config/root.js';

const NAMES = ['temporal', 'backend', 'web'] as const;
type Name = (typeof NAMES)[number];
const harnessBin = harnessFile('bin', 'harness.js');

const runDir = () => config().paths.run;
const logDir = () => config().paths.logs;
const pidFile = (n: Name) => path.join(runDir(), `${n}.pid`);

function readPid(n: Name): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(n), 'utf8'));
    return alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The stack a `harness up` or `harness backend` of this project runs (not started by these commands). */
const running = () => readStackRecord(runDir());

/** Where Temporal is: as configured, else where this project's running stack has it. */
function temporalAddress(): string {
  const target = temporalTarget(); // reads .env first
  const configured = process.env.TEMPORAL_ADDRESS || process.env.TEMPORAL_DEV_PORT;
  return (!configured && running()?.temporal.address) || target.address;
}

async function healthy(n: Name): Promise<boolean> {
  if (n === 'temporal') return temporalServing(temporalAddress());
  const url = n === 'web' ? `${backendUrl()}/ui/` : `${backendUrl()}/api/health`;
  // node:http, not fetch: loading fetch's client is a third of this command's start.
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function waitHealthy(n: Name, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await healthy(n)) return true;
    await new Promise((r) => setTimeout(r, 300));
  }
  return false;
}

async function start(n: Name): Promise<void> {
  if (n === 'web') return console.log('web: the dashboard is served by the backend at /ui/ (start the backend)');
  if (n === 'temporal' && !temporalTarget().managed)
    return console.log(`temporal: external cluster at ${temporalTarget().address}; nothing to start`);
  if (readPid(n)) return console.log(`${n}: already running (pid ${readPid(n)})`);
  fs.mkdirSync(runDir(), { recursive: true });
  fs.mkdirSync(logDir(), { recursive: true });
  const log = fs.openSync(path.join(logDir(), `${n}.log`), 'a', 0o600);
  const t = temporalTarget();
  const [cmd, args] =
    n === 'temporal'
      ? [
          provisionTemporalCli(cliSearch()),
          devServerArgs({
            dbFile: config().paths.temporalDb,
            port: t.devPort,
            uiPort: t.devUiPort,
            namespace: t.namespace,
            codecEndpoint: codecEndpoint(),
          }),
        ]
      : [process.execPath, [harnessBin, 'backend']];
  // The child inherits this process's environment (spawn's default).
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  fs.writeFileSync(pidFile(n), String(child.pid), { mode: 0o600 });
  const ok = await waitHealthy(n, 60_000);
  if (!ok) throw new CliError(`${n} did not become healthy; see ${path.join(logDir(), `${n}.log`)}`);
  console.log(`${n}: started (pid ${child.pid}, log ${path.join(logDir(), `${n}.log`)})`);
}

async function stop(n: Name): Promise<void> {
  if (n === 'web') return console.log('web: served by the backend; stop the backend to stop it');
  const pid = readPid(n);
  if (!pid) {
    fs.rmSync(pidFile(n), { force: true });
    return console.log(`${n}: not running`);
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(pidFile(n), { force: true });
  console.log(`${n}: stopped (pid ${pid})`);
}

/** One line per service; true when it answers its health check. */
async function status(n: Name): Promise<boolean> {
  // Under `harness up` no pidfile is written: its own pid serves the backend, its dev server's pid Temporal.
  const stack = running();
  const pid = n === 'temporal' ? (readPid('temporal') ?? stack?.temporal.pid) : (readPid('backend') ?? stack?.pid);
  const where = n === 'temporal' ? temporalAddress() : n === 'web' ? `${backendUrl()}/ui/` : backendUrl();
  const up = await healthy(n);
  console.log(
    `${n.padEnd(9)} pid ${pid ? String(pid).padEnd(8) : '-'.padEnd(8)} ${where.padEnd(32)} ${up ? 'healthy' : 'down'}`,
  );
  return up;
}

function targets(name: string | undefined): Name[] {
  if (!name || name === 'all') return [...NAMES];
  if (!(NAMES as readonly string[]).includes(name))
    throw new CliError(`unknown service '${name}' (use temporal, backend, web or all)`);
  return [name as Name];
}

export function servicesCommand(program: Command): void {
  const svc = program
    .command('services')
    .description('run the services detached, with pidfiles in .vloop/run and logs in .vloop/logs');
  svc.command('start [name]').action(async (name?: string) => {
    for (const n of targets(name)) await start(n);
  });
  svc.command('stop [name]').action(async (name?: string) => {
    for (const n of targets(name).reverse()) await stop(n);
  });
  svc.command('restart [name]').action(async (name?: string) => {
    for (const n of targets(name).reverse()) await stop(n);
    for (const n of targets(name)) await start(n);
  });
  // Scripts can wait on it: the exit code is 1 while any service asked about is down.
  svc.command('status [name]').action(async (name?: string) => {
    const down: Name[] = [];
    for (const n of targets(name)) if (!(await status(n))) down.push(n);
    if (down.length)
      throw new CliError(
        `${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} down: 'harness services start' starts the services`,
      );
  });
}
