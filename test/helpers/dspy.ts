// DSPy itself, from the venv bin/setup-test-tools.js installs (.vloop/tools/dspy): missing, a test that needs it
// fails naming the command that installs it, never skips.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const python = path.resolve('.vloop', 'tools', 'dspy', 'bin', 'python');
const script = path.resolve('test', 'fixtures', 'dspy', 'program-io.py');

/** Run test/fixtures/dspy/program-io.py with DSPy 3.4.1; its standard output. No network: litellm's price map is its own copy. */
export async function runDspy(args: string[]): Promise<string> {
  if (!fs.existsSync(python)) throw new Error(`DSPy is not installed at ${python}: run npm run setup:test-tools`);
  const { stdout } = await promisify(execFile)(python, [script, ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LITELLM_LOCAL_MODEL_COST_MAP: 'True',
      DSPY_CACHEDIR: fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'dspy-cache-')),
    },
    timeout: 120_000,
  });
  return stdout;
}
