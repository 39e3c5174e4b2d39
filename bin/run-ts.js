#!/usr/bin/env node
// Run one TypeScript file (benchmarks, scripts) with the same loader the CLI uses.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const file = process.argv[2];
if (!file) {
  console.error('usage: run-ts <file.ts> [args…]');
  process.exit(1);
}
process.argv.splice(1, 1);
await import(pathToFileURL(path.resolve(file)).href);
