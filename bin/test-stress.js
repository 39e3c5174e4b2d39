#!/usr/bin/env node
// `npm run test:stress`: the test command with a busy loop per core beside it, so a wait that only
// holds on a quiet machine fails here instead of in CI. The hogs are stopped on every exit path.
import { spawn } from 'node:child_process';
import os from 'node:os';

const cores = Number(process.env.STRESS_HOGS) || os.availableParallelism();
const hogs = Array.from({ length: cores }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true }),
);
const stopHogs = () => {
  for (const hog of hogs) {
    try {
      process.kill(-hog.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};
process.on('exit', stopHogs);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => process.exit(130));

const started = Date.now();
process.stdout.write(`test:stress: ${cores} busy loop${cores === 1 ? '' : 's'} beside \`npm test\`\n`);
// The README's test command, with the arguments given here passed on to vitest.
const test = spawn('npm', ['test', '--', ...process.argv.slice(2)], { stdio: 'inherit' });
test.once('exit', (code, signal) => {
  stopHogs();
  const seconds = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`test:stress: npm test ${code === 0 ? 'passed' : 'failed'} in ${seconds} s\n`);
  process.exit(code ?? (signal ? 1 : 0));
});
