// The chaos soak from the command line: prints one JSON line of figures, exit 1 on any violation.
// Usage: node bin/run-ts.js bench/chaos.ts [minutes=10] [concurrency=3] [killEverySeconds=8]
import os from 'node:os';
import path from 'node:path';
import { writeBundle } from '../temporal/bundle.js';
import { soak } from '../test/helpers/chaos-soak.js';
import { userTemporalCli } from '../test/helpers/throwaway-stack.js';

const minutes = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 3);
const killEverySeconds = Number(process.argv[4] ?? 8);
const workflowBundle = path.join(os.tmpdir(), `vloop-chaos-bundle-${process.pid}.js`);
await writeBundle(workflowBundle);
const figures = await soak({
  minutes,
  concurrency,
  killEverySeconds,
  cliPath: userTemporalCli(),
  workflowBundle,
  log: (l) => process.stderr.write(`${new Date().toISOString()} ${l}\n`),
});
console.log(JSON.stringify({ bench: 'chaos', ...figures, violationCount: figures.violations.length }));
if (figures.violations.length) process.exitCode = 1;
