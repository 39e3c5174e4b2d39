// How long `harness` takes to start: `--version`, `services status` (nothing running here, or the
// stack of this checkout) and `run pipeline --help`, each started `runs` times as a person would
// (node bin/harness.js, from the compiled dist/). Prints one JSON line, milliseconds; the goal is under
// 500 each (cpuMedianMs: the CPU it took, what a busy machine does not change). Usage: node bin/run-ts.js bench/cli.ts [runs=15]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { harnessFile } from '../config/root.js';

const runs = Number(process.argv[2] ?? 15);
const commands: Record<string, string[]> = {
  version: ['--version'],
  servicesStatus: ['services', 'status'],
  runHelp: ['run', 'pipeline', '--help'],
};

/** CPU time (ms) of this process's ended children: /proc/self/stat's cutime + cstime, in clock ticks (100 per second). */
function childCpuMs(): number {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

/** One start: its wall time and its CPU time (the wall time on a busy machine includes waiting for a core). */
function start(args: string[]): { wall: number; cpu: number } {
  const cpu0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [harnessFile('bin', 'harness.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // services status exits 1 when something is down: only a crash is a failure here.
  if (r.status === null || (r.status !== 0 && !String(r.stderr).includes('down')))
    throw new Error(`harness ${args.join(' ')} failed: ${r.stderr}`);
  return { wall: performance.now() - t0, cpu: childCpuMs() - cpu0 };
}

const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
// The first start compiles any source edited since the last build: not what is measured.
start(['--version']);
const result: Record<string, unknown> = { bench: 'cli-start', runs, loadavg1m: Number(os.loadavg()[0]!.toFixed(2)) };
for (const [name, args] of Object.entries(commands)) {
  const starts = Array.from({ length: runs }, () => start(args));
  const wall = starts.map((x) => x.wall).sort((a, b) => a - b);
  const cpu = starts.map((x) => x.cpu).sort((a, b) => a - b);
  result[name] = {
    medianMs: Math.round(at(wall, 0.5)),
    p95Ms: Math.round(at(wall, 0.95)),
    cpuMedianMs: Math.round(at(cpu, 0.5)),
  };
}
console.log(JSON.stringify(result));
