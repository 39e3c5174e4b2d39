// The project directory (.vloop) holds the token, the keys, prompts, inputs and chat text: only its
// owner may read it. It is 0700 and every file in it 0600 (0700 for programs). Files are created so,
// and a sweep at start fixes what older versions (or other programs) left readable. The process umask
// is left alone: it would make every file an agent or a build writes in the user's workspace private too.
import fs from 'node:fs';
import path from 'node:path';

function makePrivate(p: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return; // removed while we looked
  }
  if (st.isSymbolicLink()) return; // what it points at is not ours to change
  const want = st.isDirectory() || st.mode & 0o111 ? 0o700 : 0o600;
  if ((st.mode & 0o777) !== want) fs.chmodSync(p, want);
  if (st.isDirectory()) for (const entry of fs.readdirSync(p)) makePrivate(path.join(p, entry));
}

/** Installed test tools (Node 24, promptfoo: some 30,000 files, nothing of the user's) are not swept at every start. */
const NOT_SWEPT = new Set(['tools']);

/** Create the project directory 0700 if it is missing, and make everything in it private. */
export function keepProjectPrivate(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  for (const entry of fs.readdirSync(dir)) if (!NOT_SWEPT.has(entry)) makePrivate(path.join(dir, entry));
}

/**
 * Create `file` empty and 0600 unless it exists (and make it 0600 if it does), before a program
 * that would create it world-readable opens it: SQLite gives a database's -wal and -shm its mode.
 */
export function createPrivateFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
}
