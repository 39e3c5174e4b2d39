#!/usr/bin/env node
// The checks before the tests (types, lint, format, the dashboard build), one per core at a time: each is
// single-threaded, so run one after another they leave the other core idle. Each one's output is printed
// whole when it ends (never interleaved), and the command fails naming every check that failed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { scripts } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
/** package.json's own scripts, each step of an `a && b` on its own: the commands live there, not here. */
const CHECKS = ['typecheck', 'lint', 'build:web'].flatMap((name) =>
  scripts[name].split(' && ').map((command, i, all) => [all.length > 1 ? `${name} ${i + 1}` : name, command]),
);
// The local tools (tsc, eslint, …) as npm would find them, also when this runs outside `npm run`.
const env = { ...process.env, PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` };

/** One check's exit code, with its output printed together once it has ended. */
function run([name, command]) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    child.stderr.on('data', (c) => out.push(c));
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const ok = code === 0;
      process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name} (${command}, ${seconds} s)\n`);
      if (out.length && !ok) process.stdout.write(Buffer.concat(out));
      resolve(ok ? undefined : `${name}${signal ? ` (${signal})` : ''}`);
    });
  });
}

const queue = [...CHECKS];
const failed = [];
const lane = async () => {
  for (let check = queue.shift(); check; check = queue.shift()) {
    const failure = await run(check);
    if (failure) failed.push(failure);
  }
};
await Promise.all(Array.from({ length: Math.min(os.availableParallelism(), CHECKS.length) }, lane));
if (failed.length) {
  process.stderr.write(`checks failed: ${failed.join(', ')}\n`);
  process.exit(1);
}
