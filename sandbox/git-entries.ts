// Where a person's own git would take hooks and config from: every `.git` in the workspace (a
// directory, a file, a symlink), found by a bounded walk. The sandbox binds those read-only, and a
// `.git` a command created is moved aside after it, before anyone runs git there.
import fs from 'node:fs';
import path from 'node:path';

const MAX_DEPTH = 8;
const MAX_DIRS = 4000;
/** Trees that hold installed packages, not a person's repositories; walking them would spend the bound. */
const SKIPPED = new Set(['node_modules', '.git']);

export interface GitEntries {
  /** Each `.git` path and the identity (device:inode) of what is there, so one replaced in place counts as new. */
  entries: Map<string, string>;
  /** Set when the walk stopped at its bound: entries beyond it were not seen. */
  truncated?: string;
}

/** What a walk has found so far, and the directories it has still to read. */
interface Walk {
  entries: Map<string, string>;
  queue: Array<[string, number]>;
  truncated?: string;
}

/** The `.git` entries under `workspace`, at most MAX_DEPTH levels down and MAX_DIRS directories read, never following a symlink. */
export function findGitEntries(workspace: string): GitEntries {
  const walk: Walk = { entries: new Map(), queue: [[workspace, 0]] };
  let read = 0;
  while (walk.queue.length) {
    const [dir, depth] = walk.queue.shift()!;
    if (++read > MAX_DIRS) {
      walk.truncated = `more than ${MAX_DIRS} directories in the workspace`;
      break;
    }
    for (const c of listDir(dir)) visit(walk, path.join(dir, c.name), c, depth);
  }
  return walk.truncated ? { entries: walk.entries, truncated: walk.truncated } : { entries: walk.entries };
}

/** A directory's children; none when it cannot be read (gone, or not ours to read). */
function listDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Notes a `.git` child by its identity, queues a directory to read next, or marks the walk truncated at its depth bound. */
function visit(walk: Walk, p: string, c: fs.Dirent, depth: number): void {
  if (c.name === '.git') {
    const st = lstatOrNull(p); // null: gone since the listing
    if (st) walk.entries.set(p, `${st.dev}:${st.ino}`);
  } else if (c.isDirectory() && !SKIPPED.has(c.name)) {
    if (depth + 1 > MAX_DEPTH) walk.truncated ??= `directories deeper than ${MAX_DEPTH} levels (${p})`;
    else walk.queue.push([p, depth + 1]);
  }
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/** Renames every `.git` in `after` that was not in `before` (by identity: one replaced in place is new) to `.git.quarantined-<time>`; answers the lines to show. */
export function quarantineNewGit(before: GitEntries, after: GitEntries): string[] {
  const notes: string[] = [];
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // One that was there before and only moved was read-only all along (the sandbox bound it): it is what it was.
  const known = new Set(before.entries.values());
  for (const [p, id] of after.entries) {
    if (known.has(id)) continue;
    try {
      fs.renameSync(p, `${p}.quarantined-${stamp}`);
      notes.push(`[a .git this command created was moved aside: ${p} — git would run its hooks and config]`);
    } catch (err) {
      notes.push(
        `[a .git this command created could not be moved aside: ${p} (${(err as Error).message}) — do not run git there]`,
      );
    }
  }
  if (after.truncated) notes.push(`[.git entries were checked only so far: ${after.truncated}]`);
  return notes;
}
