#!/usr/bin/env node
// Ends the processes it is told about when its stdin closes. The harness process holds the other end
// of the pipe, so its children (the Temporal dev server) die with it however it ends: SIGKILL and
// crashes included, which no handler in the harness itself can catch. Lines on stdin: "+<pid>", "-<pid>".
import fs from 'node:fs';

const GRACE_MS = 5_000;
/** pid -> its start time (Linux), so a pid the kernel gave to another process since is never signalled. */
const watched = new Map();

function startTime(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function stillOurs(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return startTime(pid) === watched.get(pid);
}

function signal(pid, sig) {
  try {
    if (stillOurs(pid)) process.kill(pid, sig);
  } catch {
    // it ended meanwhile
  }
}

let ending = false;
function endAll() {
  if (ending) return;
  ending = true;
  for (const pid of watched.keys()) signal(pid, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  const timer = setInterval(() => {
    for (const pid of watched.keys()) if (!stillOurs(pid)) watched.delete(pid);
    if (watched.size && Date.now() < deadline) return;
    for (const pid of watched.keys()) signal(pid, 'SIGKILL');
    clearInterval(timer);
    process.exit(0);
  }, 100);
}

// The terminal's Ctrl-C reaches the whole process group: the harness stops its children itself, and
// this process stays until the harness is gone.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => {});

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    const pid = Number(line.slice(1));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (line[0] === '+') watched.set(pid, startTime(pid));
    else if (line[0] === '-') watched.delete(pid);
  }
});
process.stdin.on('end', endAll);
process.stdin.on('error', endAll);
