// Opening files and directories so that what was opened is checked, not the name that was judged: a
// symlink swapped in after the policy check, a hard link to a harness file or a /proc spelling is
// caught on the descriptor itself (its real path from /proc/self/fd, its device and inode).
import fs from 'node:fs';
import path from 'node:path';
import { isGitPath, isInside, type PolicyContext } from '../../core/policy.js';

export class EscapeError extends Error {}

/** Where a tool may reach: the workspace, minus the harness directory (never) and protected paths (never written). */
export type Boundary = Pick<PolicyContext, 'workspace' | 'protectedPaths' | 'hiddenPaths'>;

/** More files than this under the harness directory and a hard-linked file is refused instead of compared. */
const MAX_HIDDEN_FILES = 20_000;

/** The real path an open descriptor points at, as the kernel sees it. */
function realPathOf(fd: number): string {
  return fs.readlinkSync(`/proc/self/fd/${fd}`);
}

/** Why an opened real path is out of bounds, or undefined when it is fine. */
function outOfBounds(b: Boundary, real: string, what: string, writes: boolean): string | undefined {
  if ((b.hiddenPaths ?? []).some((h) => isInside(h, real)))
    return `${what} is in the harness directory (${real}): no tool reads or writes it`;
  if (!isInside(b.workspace, real)) return `${what} leads outside the workspace (to ${real})`;
  if (writes && (b.protectedPaths.some((q) => isInside(q, real)) || isGitPath(b.workspace, real)))
    return `${what} is protected (${real}): no tool writes it`;
  return undefined;
}

/** Device and inode of every file under the harness directory (undefined: too many to compare). */
function hiddenInodes(b: Boundary): Set<string> | undefined {
  const seen = new Set<string>();
  const stack = [...(b.hiddenPaths ?? [])];
  let count = 0;
  while (stack.length) {
    const p = stack.pop()!;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue;
    }
    if (++count > MAX_HIDDEN_FILES) return undefined;
    seen.add(`${st.dev}:${st.ino}`);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) stack.push(path.join(p, name));
  }
  return seen;
}

/** Refuse a descriptor that names a harness file under another name (a hard link), or any hard link when writing. */
function checkLinks(b: Boundary, st: fs.Stats, what: string, writes: boolean): void {
  if (st.nlink <= 1 || st.isDirectory()) return;
  if (writes) throw new EscapeError(`${what} has ${st.nlink} hard links: writing it would change another name too`);
  const inodes = hiddenInodes(b);
  if (!inodes || inodes.has(`${st.dev}:${st.ino}`))
    throw new EscapeError(`${what} is a hard link into the harness directory: no tool reads it`);
}

/** Open then check: the descriptor must be inside the workspace, outside the harness directory, a regular file. */
export function openInside(b: Boundary, file: string, flags: number): number {
  const writes = (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) !== 0;
  let created = false;
  let fd: number;
  const base = flags | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;
  if (flags & fs.constants.O_CREAT) {
    // O_EXCL first, to know whether this call made the file (and must remove it when it lands out of bounds).
    try {
      fd = fs.openSync(file, base | fs.constants.O_EXCL);
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      fd = fs.openSync(file, base & ~fs.constants.O_CREAT);
    }
  } else fd = fs.openSync(file, base);
  try {
    const real = realPathOf(fd);
    const why = outOfBounds(b, real, file, writes);
    if (why) {
      if (created) fs.rmSync(real, { force: true });
      throw new EscapeError(why);
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new EscapeError(`${file} is not a regular file`);
    checkLinks(b, st, file, writes);
    return fd;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** Open a directory (symlinks followed: the opened one is what is checked) and read it through the descriptor, never by name again. */
export function openDirInside(b: Boundary, dir: string): { fd: number; real: string } {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  const real = realPathOf(fd);
  const why = outOfBounds(b, real, dir, false);
  if (why) {
    fs.closeSync(fd);
    throw new EscapeError(why);
  }
  return { fd, real };
}

/** Whether a path (already a real path) may be created: its nearest existing directory is checked like an opened one. */
export function checkWritableDir(b: Boundary, realDir: string): void {
  const why = outOfBounds(b, realDir, realDir, true);
  if (why) throw new EscapeError(why);
}
