#!/usr/bin/env node
// `npm test`: the dashboard build (the e2e tests serve it), then vitest with the typecheck and lint beside it.
// The checks are single-threaded and vitest's workers spend much of their time waiting on processes they
// started, so the checks fit in its idle CPU instead of adding a minute and a half before the first test.
// Arguments go to vitest. A failed check stops vitest at once: its report would not be read.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Run a command; resolve with its exit code (and its output when captured). */
function run(cmd, args, { capture = false } = {}) {
  const child = spawn(cmd, args, { stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  let out = '';
  if (capture) {
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
  }
  const done = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out })),
  );
  return { child, done };
}

const web = await run(npm, ['run', 'build:web']).done;
if (web.code !== 0) process.exit(web.code);

const vitest = run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)]);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => vitest.child.kill(signal));

/** The static checks one after another, each reported when it ends (its output only when it failed). */
async function checks() {
  for (const script of ['typecheck', 'lint']) {
    const started = Date.now();
    const { code, out } = await run(npm, ['run', script], { capture: true }).done;
    const seconds = Math.round((Date.now() - started) / 1000);
    if (code !== 0) {
      process.stdout.write(`\n${out}\nnpm test: ${script} failed (${seconds} s); stopping vitest\n`);
      return false;
    }
    process.stdout.write(`npm test: ${script} passed (${seconds} s)\n`);
  }
  return true;
}

const checked = checks().then((ok) => {
  if (!ok) vitest.child.kill('SIGINT');
  return ok;
});
const [ok, tested] = await Promise.all([checked, vitest.done]);
process.exit(ok ? tested.code : 1);
