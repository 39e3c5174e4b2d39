// Every process a test starts runs in a process group of its own, recorded here: it is stopped as a group (its
// Temporal dev server and watchdog with it), and the file's end finds a group still alive, ends it and fails.
// No vitest import: the chaos soak (bench/chaos.ts) spawns through here outside the test runner too.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import { endWithThisProcess } from '../../temporal/watchdog.js';

interface Tracked {
  pid: number;
  what: string;
  /** Its own process group (spawned detached), or a single process in this one (a dev server started in-process). */
  group: boolean;
  /** The kernel's start time of the pid, so a pid handed to another process since is never signalled. */
  started: string | undefined;
}

const tracked = new Map<number, Tracked>();

/** A process's state, process group and start time from /proc (undefined once it has ended). */
function statOf(pid: number): { state: string; pgrp: number; started: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, pgrp: Number(fields[2]), started: fields[19]! };
  } catch {
    return undefined;
  }
}

/** The pids whose process group is `pgid`, zombies left out (they hold nothing but a table slot). */
export function groupMembers(pgid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const stat = statOf(pid);
      return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z';
    });
}

function alive(t: Tracked): boolean {
  const now = statOf(t.pid);
  // The pid alive with another start time is a stranger's (and so is a group it leads).
  if (now && now.started !== t.started) return false;
  if (t.group) return groupMembers(t.pid).length > 0;
  return now !== undefined && now.state !== 'Z';
}

function signal(t: Tracked, sig: NodeJS.Signals): void {
  try {
    process.kill(t.group ? -t.pid : t.pid, sig);
  } catch {
    // already gone
  }
}

/** Spawn `command` as the leader of a new process group, recorded until its whole group has ended. */
export function spawnGroup(what: string, command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid) {
    tracked.set(child.pid, { pid: child.pid, what, group: true, started: statOf(child.pid)?.started });
    // Out of this process's group, a Ctrl-C or a crash of the test no longer reaches it: the watchdog does.
    endWithThisProcess(child);
  }
  return child;
}

/** Record a process this test started in its own group (a dev server): the file's end checks it ended. */
export function trackProcess(child: ChildProcess, what: string): void {
  if (child.pid) tracked.set(child.pid, { pid: child.pid, what, group: false, started: statOf(child.pid)?.started });
}

/** Send `sig` to the whole group `child` leads, then SIGKILL whatever is left once the leader ended (or at the deadline). */
export async function stopGroup(
  child: ChildProcess,
  sig: NodeJS.Signals = 'SIGKILL',
  timeoutMs = 30_000,
): Promise<void> {
  const t = child.pid ? tracked.get(child.pid) : undefined;
  if (!t) return;
  const leaderEnded =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signal(t, sig);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([leaderEnded, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  await endTracked(t);
}

/** SIGKILL a tracked process or group and wait until nothing of it is left. */
async function endTracked(t: Tracked): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (alive(t) && Date.now() < deadline) {
    signal(t, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
  }
  if (alive(t)) throw new Error(`${t.what} (pid ${t.pid}) survived SIGKILL`);
  tracked.delete(t.pid);
}

/** The processes' own watchdog ends their children within 5 s of their exit (bin/watchdog.js): no leak before then. */
const ORPHANS_GRACE_MS = 6_000;

/** End every recorded process or group still alive; what was left, by name (empty when the test cleaned up). */
export async function endLeftovers(): Promise<string[]> {
  const leaderEnded = (t: Tracked) => {
    const now = statOf(t.pid);
    return !now || now.started !== t.started || now.state === 'Z';
  };
  const deadline = Date.now() + ORPHANS_GRACE_MS;
  while ([...tracked.values()].some((t) => alive(t) && leaderEnded(t)) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const left: string[] = [];
  for (const t of [...tracked.values()]) {
    if (alive(t)) {
      const members = t.group ? groupMembers(t.pid) : [t.pid];
      left.push(`${t.what} (pid ${t.pid}${t.group ? `, group of ${members.length}` : ''})`);
    }
    await endTracked(t);
  }
  return left;
}
