#!/usr/bin/env node
// Compile the harness's TypeScript into dist/: one JavaScript file per source, as tsx would run it
// (esbuild, no bundling, no type check: `npm run typecheck` does that). Only sources newer than their
// compiled file are compiled again, so bin/harness.js can check and catch up on every start.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(root, 'dist');
/** What the CLI, the API and the worker load; tests and benchmarks run from source. */
const SOURCE_DIRS = [
  'activities',
  'api',
  'cli',
  'config',
  'core',
  'db',
  'judge',
  'keyring',
  'mcp',
  'providers',
  'sandbox',
  'temporal',
  'worker',
  'workflows',
];
// The options tsx runs the sources with (tsconfig.json's, as esbuild reads them).
const tsconfigRaw = {
  compilerOptions: { target: 'ES2022', useDefineForClassFields: true, verbatimModuleSyntax: true },
};

function sourcesUnder(rel, out) {
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const p = path.join(rel, e.name);
    if (e.isDirectory()) sourcesUnder(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const compiledOf = (rel) => path.join(DIST, rel.replace(/\.ts$/, '.js'));

/** The sources whose compiled file is missing or older than they are (a few ms: one stat per file). */
export function staleSources() {
  const stale = [];
  for (const rel of SOURCE_DIRS.flatMap((d) => sourcesUnder(d, []))) {
    const source = fs.statSync(path.join(root, rel)).mtimeMs;
    let compiled = -1;
    try {
      compiled = fs.statSync(compiledOf(rel)).mtimeMs;
    } catch {
      // not compiled yet
    }
    if (source > compiled) stale.push(rel);
  }
  return stale;
}

/** Compile these sources; each file is written whole (a temp file renamed), so a process starting beside it never reads half of one. */
export async function compile(sources) {
  const { transform } = await import('esbuild');
  await Promise.all(
    sources.map(async (rel) => {
      const code = await fs.promises.readFile(path.join(root, rel), 'utf8');
      const out = compiledOf(rel);
      const result = await transform(code, {
        loader: 'ts',
        format: 'esm',
        target: 'node20',
        sourcefile: path.join(root, rel),
        sourcemap: 'external',
        tsconfigRaw,
      });
      await fs.promises.mkdir(path.dirname(out), { recursive: true });
      const tmp = `${out}.${process.pid}.tmp`;
      await fs.promises.writeFile(`${out}.map`, result.map);
      await fs.promises.writeFile(tmp, `${result.code}//# sourceMappingURL=${path.basename(out)}.map\n`);
      await fs.promises.rename(tmp, out);
    }),
  );
}

/** Compile what is stale; a compiled file whose source is gone is removed (it could be imported by mistake). */
export async function build() {
  const sources = new Set(SOURCE_DIRS.flatMap((d) => sourcesUnder(d, [])).map(compiledOf));
  const stale = staleSources();
  await compile(stale);
  const removeOrphans = (dir) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) removeOrphans(p);
      else if (e.name.endsWith('.js') && !sources.has(p)) fs.rmSync(p, { force: true });
      else if (e.name.endsWith('.js.map') && !sources.has(p.slice(0, -'.map'.length))) fs.rmSync(p, { force: true });
    }
  };
  removeOrphans(DIST);
  return stale;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const compiled = await build();
  console.log(
    `dist: ${compiled.length ? `compiled ${compiled.length} source${compiled.length === 1 ? '' : 's'}` : 'up to date'} (${Date.now() - started} ms)`,
  );
}
