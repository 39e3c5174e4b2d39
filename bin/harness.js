#!/usr/bin/env node
// The `harness` command: the JavaScript compiled into dist/ (`npm run build`; setup and npm install
// run it). A source edited since is compiled again first, so a start never runs stale code.
import { compile, staleSources } from './build.js';

const stale = staleSources();
if (stale.length) {
  const named = stale.slice(0, 3).join(', ') + (stale.length > 3 ? `, +${stale.length - 3} more` : '');
  process.stderr.write(
    `harness: compiling ${stale.length} changed source${stale.length === 1 ? '' : 's'} into dist/ (${named})\n`,
  );
  await compile(stale);
}
await import('../dist/cli/main.js');
