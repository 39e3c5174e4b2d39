// Children that must not outlive this process (the Temporal dev server under `harness up`): one small
// watchdog process per harness process ends them when this process's end closes its stdin.
import { spawn, type ChildProcess } from 'node:child_process';
import { harnessFile } from '../config/root.js';

const WATCHDOG = harnessFile('bin', 'watchdog.js');
let watchdog: ChildProcess | undefined;

function running(): ChildProcess {
  if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) return watchdog;
  const w = spawn(process.execPath, [WATCHDOG], { stdio: ['pipe', 'ignore', 'ignore'] });
  // Neither the watchdog nor its pipe keeps this process alive; the pipe closes when this process ends.
  w.unref();
  const stdin = w.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.unref?.();
  w.stdin?.on('error', () => undefined);
  watchdog = w;
  return w;
}

/** `child` is ended (SIGTERM, SIGKILL after 5 s) when this process ends, however it ends. */
export function endWithThisProcess(child: ChildProcess): void {
  if (!child.pid) return;
  const pid = child.pid;
  const w = running();
  w.stdin?.write(`+${pid}\n`);
  // Once it has ended by itself its pid is forgotten, so the watchdog never signals a stranger.
  child.once('exit', () => {
    if (w.exitCode === null) w.stdin?.write(`-${pid}\n`);
  });
}
