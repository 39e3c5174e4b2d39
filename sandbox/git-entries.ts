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

/** The `.git` entries under `workspace`, at most MAX_DEPTH levels down and MAX_DIRS directories read, never following a symlink. */
export function findGitEntries(workspace: string): GitEntries {
  const entries = new Map<string, string>();
  let truncated: string | undefined;
  let read = 0;
  const queue: Array<[string, number]> = [[workspace, 0]];
  while (queue.length) {
    const [dir, depth] = queue.shift()!;
    if (++read > MAX_DIRS) {
      truncated = `more than ${MAX_DIRS} directories in the workspace`;
      break;
    }
    let children: fs.Dirent[];
    try {
      children = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const c of children) {
      const p = path.join(dir, c.name);
      if (c.name === '.git') {
        try {
          const st = fs.lstatSync(p);
          entries.set(p, `${st.dev}:${st.ino}`);
        } catch {
          // gone since the listing
        }
      } else if (c.isDirectory() && !SKIPPED.has(c.name)) {
        if (depth + 1 > MAX_DEPTH) truncated ??= `directories deeper than ${MAX_DEPTH} levels (${p})`;
        else queue.push([p, depth + 1]);
      }
    }
  }
  return truncated ? { entries, truncated } : { entries };
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
      notes.push(`[a .git this command created could not be moved aside: ${p} (${(err as Error).message}) — do not run git there]`);
    }
  }
  if (after.truncated) notes.push(`[.git entries were checked only so far: ${after.truncated}]`);
  return notes;
}
