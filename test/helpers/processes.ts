// Spawn real harness processes (a worker) for crash tests, with their output kept for diagnosis.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { harnessEnv } from './harness-env.js';
import { spawnGroup, stopGroup } from './process-groups.js';

const harness = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'harness.js');

export interface HarnessProcess {
  child: ChildProcess;
  exitCode: Promise<number | null>;
  output: () => string;
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Signal its whole process group (its dev server, its watchdog), and end what is left once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Signal the process alone, as a crash looks from outside, and wait for it to exit: its children are left to the
   * process's own watchdog (what a test may check); `kill` ends them at the latest. */
  killLeader(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnHarness(args: string[], env: Record<string, string>, input?: string): HarnessProcess {
  let out = '';
  const child = spawnGroup(`harness ${args.join(' ')}`, process.execPath, [harness, ...args], {
    env: harnessEnv({ VLOOP_WORKFLOW_BUNDLE: inject('workflowBundle'), LOG_LEVEL: 'warn', ...env }),
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin!.end(input);
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const exitCode = exited.then(() => child.exitCode);
  return {
    child,
    exitCode,
    output: () => out,
    async waitFor(text, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (child.exitCode !== null)
          throw new Error(`harness ${args.join(' ')} exited (${child.exitCode}) before '${text}':\n${out}`);
        if (Date.now() > deadline)
          throw new Error(`harness ${args.join(' ')} did not print '${text}' in time:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill(signal = 'SIGKILL') {
      await stopGroup(child, signal);
    },
    async killLeader(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

/** Run a TypeScript script to its end; it fails with the script's output when the exit code is not 0. */
export function runTs(file: string, args: string[]): Promise<void> {
  const child = spawnGroup(
    `run-ts ${file}`,
    process.execPath,
    [path.resolve(path.dirname(harness), 'run-ts.js'), file, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Whatever it left in its group ends with it.
  return exited.then(async (code) => {
    await stopGroup(child);
    if (code !== 0) throw new Error(`${file} exited ${code}: ${out}`);
  });
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Wait on a condition with a deadline (never sleep and hope); fail naming what was awaited. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
