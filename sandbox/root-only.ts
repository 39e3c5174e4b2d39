// When the harness runs as root, the sandbox's user is root on the host's files (the owner bits
// still apply without capabilities), so what only root may read (/etc/shadow, host keys, /var/lib's
// private stores) would be readable through the read-only system view. These are found by their
// mode, near the top of the system's trees, and hidden.
import fs from 'node:fs';
import path from 'node:path';

/** Trees searched, and how deep: the places a system keeps root's private files. */
const ROOTS = ['/etc', '/var', '/opt', '/srv', '/boot', '/usr/local/etc'];
const DEPTH = 2;

export interface RootOnlyEntry {
  path: string;
  directory: boolean;
}

/** Root-owned entries that others may not read (a file without o+r, a directory without o+rx), outside the paths that must stay visible. */
export function rootOnlyEntries(keep: string[]): RootOnlyEntry[] {
  const out: RootOnlyEntry[] = [];
  const inside = (p: string) => keep.some((k) => k === p || p.startsWith(`${k}/`));
  const above = (p: string) => keep.some((k) => k.startsWith(`${p}/`));
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = path.join(dir, name);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue;
      }
      if (st.isSymbolicLink() || inside(p)) continue;
      const directory = st.isDirectory();
      if (above(p)) {
        if (directory) walk(p, depth);
        continue;
      }
      const othersRead = directory ? (st.mode & 0o005) === 0o005 : (st.mode & 0o004) !== 0;
      if (st.uid === 0 && !othersRead && (directory || st.isFile())) out.push({ path: p, directory });
      else if (directory && depth < DEPTH) walk(p, depth + 1);
    }
  };
  for (const r of ROOTS) if (!inside(r)) walk(r, 1);
  return out;
}
