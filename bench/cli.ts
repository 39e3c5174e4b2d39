// How long `harness` takes to start: `--version`, `services status` (nothing running here, or the
// stack of this checkout) and `run pipeline --help`, each started `runs` times as a person would
// (node bin/harness.js, from the compiled dist/). Prints one JSON line, milliseconds; the goal is under
// 500 each. Usage: node bin/run-ts.js bench/cli.ts [runs=15]
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { harnessFile } from '../config/root.js';

const runs = Number(process.argv[2] ?? 15);
const commands: Record<string, string[]> = {
  version: ['--version'],
  servicesStatus: ['services', 'status'],
  runHelp: ['run', 'pipeline', '--help'],
};

function startMs(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [harnessFile('bin', 'harness.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // services status exits 1 when something is down: only a crash is a failure here.
  if (r.status === null || (r.status !== 0 && !String(r.stderr).includes('down'))) throw new Error(`harness ${args.join(' ')} failed: ${r.stderr}`);
  return performance.now() - t0;
}

const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
// The first start compiles any source edited since the last build: not what is measured.
startMs(['--version']);
const result: Record<string, unknown> = { bench: 'cli-start', runs, loadavg1m: Number(os.loadavg()[0]!.toFixed(2)) };
for (const [name, args] of Object.entries(commands)) {
  const times = Array.from({ length: runs }, () => startMs(args)).sort((a, b) => a - b);
  result[name] = { medianMs: Math.round(at(times, 0.5)), p95Ms: Math.round(at(times, 0.95)) };
}
console.log(JSON.stringify(result));
