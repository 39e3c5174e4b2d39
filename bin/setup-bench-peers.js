#!/usr/bin/env node
// The durable engines bench/peers.ts measures beside the harness (DBOS, Restate's server and SDK, LangGraph.js with
// its SQLite checkpointer), installed from bench/peers/deps (package.json and lock) into .vloop/tools/peers. Only the
// benchmark needs them: neither the tests nor CI install them. Restate's SDK runs on the Node 24 that
// `npm run setup:test-tools` installs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const spec = path.join(root, 'bench', 'peers', 'deps');
const dir = path.join(root, '.vloop', 'tools', 'peers');
fs.mkdirSync(dir, { recursive: true });
for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(spec, f), path.join(dir, f));
// better-sqlite3 (the checkpointer's) compiles against this Node's headers, as the project's own does.
const nodedir = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
execFileSync('npm', ['install', '--no-audit', '--no-fund'], {
  cwd: dir,
  stdio: 'inherit',
  env: { ...process.env, npm_config_nodedir: nodedir },
});
console.log(`bench peers: installed into ${path.relative(root, dir)}`);
