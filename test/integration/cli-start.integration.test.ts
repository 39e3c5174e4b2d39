// The CLI starts from its compiled JavaScript (dist/), loading only the command it runs: a short
// command never loads Temporal's SDK, knex or the API; a source edited after the build runs as edited.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnHarness } from '../helpers/processes.js';

// Preloaded into the harness process: at exit it prints every CommonJS module loaded (the SDK, knex
// and koa are CommonJS), so the test sees what a start cost without timing it.
const probe = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-probe-')), 'loaded.mjs');
fs.writeFileSync(
  probe,
  "import { createRequire } from 'node:module';\nconst cache = createRequire(import.meta.url).cache;\nprocess.on('exit', () => process.stderr.write(`LOADED ${JSON.stringify(Object.keys(cache))}\\n`));\n",
);

async function loadedBy(args: string[]): Promise<{ out: string; loaded: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-cli-start-'));
  const p = spawnHarness(args, {
    VLOOP_PROJECT_DIR: dir,
    HARNESS_PORT: '1',
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    NODE_OPTIONS: `--import ${probe}`,
  });
  await p.exitCode;
  const line = p
    .output()
    .split('\n')
    .find((l) => l.startsWith('LOADED '));
  if (!line) throw new Error(`no module list from harness ${args.join(' ')}:\n${p.output()}`);
  return { out: p.output(), loaded: JSON.parse(line.slice('LOADED '.length)) as string[] };
}

describe('harness start', () => {
  it.each([[['--version']], [['services', 'status']], [['run', 'pipeline', '--help']]])(
    'harness %j loads neither Temporal, knex nor the API',
    async (args) => {
      const { out, loaded } = await loadedBy(args);
      expect(out).not.toMatch(/error: (?!temporal, backend, web are down)/);
      expect(
        loaded.filter((m) => /node_modules\/(@temporalio|knex|objection|koa|better-sqlite3|pg)\//.test(m)),
      ).toEqual([]);
    },
  );

  it('compiles a source edited after the build before running it, and says so', async () => {
    const compiled = path.resolve('dist/cli/main.js');
    // As if cli/main.ts had been saved after the build.
    fs.utimesSync(compiled, new Date(0), new Date(0));
    const p = spawnHarness(['--version'], {});
    expect(await p.exitCode).toBe(0);
    expect(p.output()).toMatch(/harness: compiling \d+ changed sources? into dist\/ \(.*cli\/main\.ts/);
    expect(p.output()).toContain('0.1.0');
    expect(fs.statSync(compiled).mtimeMs).toBeGreaterThanOrEqual(fs.statSync(path.resolve('cli/main.ts')).mtimeMs);
  });
});
