// A file the user named on the command line: its text, or a message naming the file and why it cannot be read.
import fs from 'node:fs';
import { CliError } from './client.js';

export function readInputFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/** Its JSON value; `what` says what the file should have held, for the message when it is not JSON. */
export function readJsonInput(file: string, what = ''): unknown {
  const text = readInputFile(file);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${file} is not JSON (${(err as Error).message})${what ? `; ${what}` : ''}`);
  }
}
