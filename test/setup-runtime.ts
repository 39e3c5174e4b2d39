import { afterAll, beforeAll } from 'vitest';
import { processSecrets } from '../core/secrets.js';
import { installTemporalRuntime } from '../temporal/runtime.js';
import { endLeftovers } from './helpers/process-groups.js';

// The test process is an edge like the CLI: secrets named in its environment are scrubbed everywhere. A worker runs
// file after file in one process: each starts with only those, as a backend's own process would (another file's
// canary key redacted this file's canary, a part of it).
beforeAll(() => {
  processSecrets.clear();
  processSecrets.addFromEnv(process.env);
});
installTemporalRuntime('WARN');

// A process group a test file started and left running (a harness, its dev server) is ended here, and the file
// fails naming it: a leak under load takes ports and CPU from every file after it.
afterAll(async ({}, suite) => {
  const left = await endLeftovers();
  if (left.length)
    throw new Error(`${suite.file?.filepath ?? suite.name} left running after its tests: ${left.join('; ')}`);
}, 60_000);
