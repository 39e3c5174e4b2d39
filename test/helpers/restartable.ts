// A harness process (the backend, a worker) in a process group of its own that a test can SIGKILL and start again
// with the same configuration: the chaos soak's and the optimizer chaos test's.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { harnessEnv } from './harness-env.js';
import { spawnGroup, stopGroup } from './process-groups.js';

const harness = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'harness.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type Restartable = ReturnType<typeof restartable>;

/** A harness process that can be killed and started again with the same configuration. */
export function restartable(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: string,
  log: (l: string) => void,
  /** Its lines that say a workflow task failed: why a run that never ended did not. */
  taskFailures: string[] = [],
) {
  let child: ChildProcess | undefined;
  return {
    async start() {
      let out = '';
      // Its own process group, stopped as one: nothing it started outlives it.
      const c = spawnGroup(name, process.execPath, [harness, ...args], {
        env: harnessEnv({ LOG_LEVEL: 'warn', ...env }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      c.stdout!.on('data', (d) => (out += d));
      c.stderr!.on('data', (d) => {
        out += d;
        for (const line of String(d).split('\n')) if (line.includes('Failing workflow task')) taskFailures.push(line);
      });
      child = c;
      const deadline = Date.now() + 90_000;
      while (!out.includes(ready)) {
        if (c.exitCode !== null)
          throw new Error(`${name} exited (${c.exitCode}) before it was ready:\n${out.slice(-2000)}`);
        if (Date.now() > deadline) {
          await stopGroup(c); // a process that never became ready is not left behind
          throw new Error(`${name} was not ready in time:\n${out.slice(-2000)}`);
        }
        await sleep(100);
      }
      log(`${name} up (pid ${c.pid})`);
    },
    async kill() {
      if (child) await stopGroup(child);
    },
  };
}
