// The terminal's OS sandbox (bubblewrap), built to be the boundary whether the harness runs as root
// or not: a user namespace where the command is nobody with no capabilities and no_new_privs, a
// seccomp filter refusing mounts, namespaces, ptrace, keys and bpf, the system read-only, the
// workspace read-write except .git (read-only) and .vloop (not shown), the homes and the policy
// hidden, a private HOME and TMPDIR, a scrubbed environment, and no network unless a rule allowed it.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isInside } from '../core/policy.js';
import type { ToolsConfig } from '../config/index.js';
import { probeScript, readProbe, type SandboxProperty } from './probe.js';
import { rootOnlyEntries, type RootOnlyEntry } from './root-only.js';
import { findGitEntries } from './git-entries.js';
import { seccompArch, seccompBytes, seccompProgram } from './seccomp.js';

export type { SandboxProperty } from './probe.js';

export interface SandboxStatus {
  active: boolean;
  /** The bwrap binary, when found. */
  binary?: string;
  /** Why the sandbox is not active (which property the probe found missing). */
  reason?: string;
  /** What the probe run inside the real sandbox proved (or found missing). */
  properties?: SandboxProperty[];
}

/** How one program is confined; `binds` and `setenv` let another layer (the network proxy) add its socket and address. */
export interface SandboxOptions {
  /** Share the host's network namespace (a rule or a person granted this command's reach). */
  network: boolean;
  /** More host paths shown inside, at the same path unless `target` says otherwise. */
  binds?: Array<{ source: string; target?: string; writable?: boolean }>;
  /** Variables set inside, after the scrub. */
  setenv?: Record<string, string>;
}

type SandboxTools = Pick<ToolsConfig, 'workspace' | 'home' | 'projectDir' | 'policyPath'>;

/** The sandbox's user: nobody, whoever runs the harness. */
const SANDBOX_ID = '65534';
const SCRATCH = '/var/tmp';

const cached = new Map<string, SandboxStatus>();

function findBinary(searchPath: string): string | undefined {
  for (const dir of searchPath.split(':').filter(Boolean)) {
    const candidate = path.join(dir, 'bwrap');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Whether bwrap is here and the sandbox it builds holds every property, proved by a probe run inside it (once per process and setting). */
export function sandboxStatus(tools: Pick<ToolsConfig, 'sandbox' | 'env'> & SandboxTools): SandboxStatus {
  const key = JSON.stringify([
    tools.sandbox,
    tools.env.PATH ?? '',
    tools.workspace,
    tools.home,
    tools.projectDir,
    tools.policyPath,
  ]);
  const known = cached.get(key);
  if (known) return known;
  const status = probe(tools);
  cached.set(key, status);
  return status;
}

function probe(tools: Pick<ToolsConfig, 'sandbox' | 'env'> & SandboxTools): SandboxStatus {
  if (tools.sandbox === 'off') return { active: false, reason: 'the sandbox is turned off (HARNESS_SANDBOX=off)' };
  const binary = findBinary(`${tools.env.PATH ?? ''}:/usr/bin:/bin`);
  if (!binary) return { active: false, reason: 'bubblewrap (bwrap) is not installed: apt-get install bubblewrap' };
  const arch = seccompArch();
  if (!arch) return { active: false, binary, reason: `no seccomp filter is written for ${process.arch}` };
  const workspace = real(tools.workspace);
  const projectDir = real(tools.projectDir);
  const gitDir = path.join(workspace, '.git');
  // A place the harness's user may write on the host but a command must not: its own code (the host's /tmp is a private tmpfs inside).
  const code = harnessRoot();
  const outsideBase = code && !isInside(workspace, code) ? code : os.tmpdir();
  const outsideFile = path.join(
    outsideBase,
    `vloop-sandbox-probe-${process.pid}-${crypto.randomBytes(4).toString('hex')}`,
  );
  // Listening before the probe starts (a unix socket's listen is done when listen() returns), closed after it.
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-probe-sock-'));
  const hostSocket = path.join(socketDir, 's.sock');
  const listener = net.createServer((c) => c.destroy()).listen(hostSocket);
  const targets = {
    workspace,
    outsideFile,
    hostSocket,
    nr: { mount: arch.numbers.mount, umount2: arch.numbers.umount2 },
    ...(fs.existsSync(projectDir) ? { projectDir } : {}),
    ...(fs.existsSync(gitDir) ? { gitDir } : {}),
  };
  let prefix: string[];
  try {
    prefix = sandboxPrefix({ active: true, binary }, tools, { network: false });
  } catch (err) {
    listener.close(() => fs.rmSync(socketDir, { recursive: true, force: true }));
    return { active: false, binary, reason: (err as Error).message };
  }
  const [program, ...args] = prefix;
  const r = spawnSync(program!, [...args, 'sh', '-c', probeScript(targets)], {
    cwd: workspace,
    env: sandboxEnv(tools.env),
    timeout: 10_000,
    encoding: 'utf8',
  });
  listener.close(() => fs.rmSync(socketDir, { recursive: true, force: true }));
  const outsideExists = fs.existsSync(outsideFile);
  if (outsideExists) fs.rmSync(outsideFile, { force: true });
  if (r.status !== 0)
    return {
      active: false,
      binary,
      reason: `bwrap cannot build the sandbox here: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}`,
    };
  const properties = readProbe(r.stdout, targets, outsideExists);
  const missing = properties.filter((p) => !p.ok);
  if (missing.length)
    return {
      active: false,
      binary,
      properties,
      reason: `the sandbox is not a boundary here: ${missing.map((p) => `${p.name} (${p.detail})`).join('; ')}`,
    };
  return { active: true, binary, properties };
}

const isSymlink = (p: string) => {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return true;
  }
};

const real = (p: string) => (fs.existsSync(p) ? fs.realpathSync(p) : path.resolve(p));

/** Names never handed into the sandbox: they point programs at config, code or libraries of the caller's choosing. */
const SCRUBBED =
  /^(HOME|TMPDIR|XDG_.*|GIT_.*|TAR_OPTIONS|LD_.*|BASH_ENV|ENV|BASH_FUNC_.*|PROMPT_COMMAND|SHELLOPTS|BASHOPTS|PS4|CDPATH|GLOBIGNORE|IFS|NODE_OPTIONS|PYTHONSTARTUP|PYTHONPATH|PYTHONHOME|PERL5OPT|PERL5LIB|RUBYOPT|GCONV_PATH|SSH_AUTH_SOCK|DBUS_SESSION_BUS_ADDRESS)$/;

/** The environment to start the sandbox prefix with: the harness's chosen variables minus those it never hands in (HOME and TMPDIR are set inside). */
export function sandboxEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !SCRUBBED.test(k)));
}

/** The argv that runs `bash -c command` inside the sandbox for this workspace. */
export function sandboxArgv(status: SandboxStatus, tools: SandboxTools, o: SandboxOptions): string[] {
  return [...sandboxPrefix(status, tools, o), 'bash', '-c'];
}

let filterFile: string | undefined;

/** The compiled seccomp program, written once per process in a private directory the sandbox cannot write (bwrap reads it from an fd). */
function seccompFile(workspace: string): string {
  const base = real(os.tmpdir());
  if (isInside(workspace, base))
    throw new Error(
      `the temporary directory ${base} lies inside the workspace, where a command could replace the sandbox's seccomp filter: set TMPDIR elsewhere`,
    );
  if (filterFile) return filterFile;
  const arch = seccompArch();
  if (!arch) throw new Error(`no seccomp filter is written for ${process.arch}`);
  const dir = fs.mkdtempSync(path.join(base, 'vloop-seccomp-'));
  const file = path.join(dir, `${process.arch}.bpf`);
  fs.writeFileSync(file, seccompBytes(seccompProgram(arch)), { mode: 0o400 });
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  filterFile = file;
  return file;
}

const disableUserns = new Map<string, boolean>();

/** bwrap >= 0.8 can also forbid user namespaces in the kernel (the seccomp filter refuses them either way). */
function canDisableUserns(binary: string): boolean {
  if (!disableUserns.has(binary))
    disableUserns.set(
      binary,
      spawnSync(binary, ['--help'], { encoding: 'utf8' }).stdout?.includes('--disable-userns') ?? false,
    );
  return disableUserns.get(binary)!;
}

/** Paths that hold the user's other secrets and are hidden behind an empty tmpfs (the workspace is bound back in afterwards). */
function hiddenHomes(home: string, workspace: string): string[] {
  return [...new Set([home, '/root', '/home'].map(real))].filter(
    (h) => h !== '/' && fs.existsSync(h) && fs.statSync(h).isDirectory() && !isInside(workspace, h),
  );
}

/** A repository's git directories: its `.git`, or where a `.git` file points (a worktree, a submodule) and that one's common dir. */
function gitDirsOf(repo: string): string[] {
  const dotGit = path.join(repo, '.git');
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dotGit);
  } catch {
    return [];
  }
  const dirs = [dotGit];
  if (st.isFile()) {
    const target = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (target) {
      const dir = real(path.resolve(repo, target));
      dirs.push(dir);
      const common = path.join(dir, 'commondir');
      if (fs.existsSync(common)) dirs.push(real(path.resolve(dir, fs.readFileSync(common, 'utf8').trim())));
    }
  }
  return dirs;
}

/** The git directories inside the workspace that a person's own git would run hooks and config from: every repository's found by the bounded walk (a `.git` the command creates is moved aside after it). */
function gitDirs(workspace: string): string[] {
  const repos = [...findGitEntries(workspace).entries.keys()].map((g) => path.dirname(g));
  const dirs = repos.flatMap(gitDirsOf);
  return [...new Set(dirs)].filter((d) => fs.existsSync(d) && isInside(workspace, real(d))).map(real);
}

/** The harness's own code (the directory with its package.json and node_modules): node programs it starts in the sandbox (an MCP server, the network forwarder) load from it. */
function harnessRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!(fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'node_modules')))) {
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return real(dir);
}

const rootOnly = new Map<string, RootOnlyEntry[]>();

/** Run as root, the sandbox's user owns root's files: what only root may read is hidden (found once per process). */
function rootOnlyMasks(keep: string[]): string[] {
  if (process.getuid?.() !== 0) return [];
  const key = keep.join('\0');
  if (!rootOnly.has(key)) rootOnly.set(key, rootOnlyEntries(keep));
  return rootOnly.get(key)!.flatMap((e) => (e.directory ? ['--tmpfs', e.path] : ['--ro-bind', '/dev/null', e.path]));
}

/** The system directories a node program needs to start (the rest of the machine is not there at all). */
const SYSTEM_DIRS = ['/usr', '/bin', '/lib', '/lib64', '/lib32', '/libx32'];

/**
 * bwrap and its options, up to `--`, for code that needs no file of anyone's (an imported config's javascript):
 * the system libraries and node read-only, an empty private /tmp as its directory, no network, nobody with no
 * capabilities and the seccomp filter. Unlike `sandboxPrefix` it shows no workspace, no harness code, no /etc.
 */
export function codeSandboxPrefix(status: SandboxStatus, scratchWorkspace: string): string[] {
  const args = ['--unshare-user', '--uid', SANDBOX_ID, '--gid', SANDBOX_ID, '--cap-drop', 'ALL'];
  if (canDisableUserns(status.binary!)) args.push('--disable-userns');
  args.push('--unshare-all', '--die-with-parent', '--new-session', '--proc', '/proc', '--dev', '/dev');
  for (const dir of SYSTEM_DIRS) args.push('--ro-bind-try', dir, dir);
  args.push('--tmpfs', '/tmp');
  for (const node of new Set([real(process.execPath), process.execPath]))
    args.push('--ro-bind', real(process.execPath), node);
  args.push('--setenv', 'HOME', '/tmp', '--setenv', 'TMPDIR', '/tmp', '--chdir', '/tmp', '--seccomp', '3');
  return ['/bin/sh', '-c', 'exec 3<"$0" && exec "$@"', seccompFile(scratchWorkspace), status.binary!, ...args, '--'];
}

/** bwrap and its options, up to `--`: what runs any program (a stdio MCP server too) confined. Start it with `sandboxEnv(...)`. */
export function sandboxPrefix(status: SandboxStatus, tools: SandboxTools, o: SandboxOptions): string[] {
  const workspace = real(tools.workspace);
  const args = ['--unshare-user', '--uid', SANDBOX_ID, '--gid', SANDBOX_ID, '--cap-drop', 'ALL'];
  if (canDisableUserns(status.binary!)) args.push('--disable-userns');
  args.push(
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--die-with-parent',
    '--new-session',
  );
  if (!o.network) args.push('--unshare-net');
  // The system read-only, but not the host's /tmp, /run or /dev/shm: they hold other programs' unix
  // sockets (a tmux, an ssh-agent, another harness), which a connect reaches through a read-only
  // mount and whose server runs outside as the harness's user, and other projects' files. Each is an
  // empty private tmpfs; what commands need from /tmp is bound back read-only (node, the harness's
  // code), then the workspace and the extra binds. Scratch space is /var/tmp, named by TMPDIR.
  args.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc');
  args.push(...rootOnlyMasks([workspace, real(tools.projectDir), real(tools.home)]));
  args.push('--tmpfs', '/tmp', '--tmpfs', SCRATCH, '--tmpfs', '/run', '--tmpfs', '/dev/shm');
  if (!isSymlink('/var/run')) args.push('--tmpfs', '/var/run');
  const homes = hiddenHomes(tools.home, workspace);
  for (const h of homes) args.push('--tmpfs', h);
  // HOME is the hidden home's path (as the judge computes `~`), now an empty private tmpfs.
  const home = real(tools.home);
  const privateHome = homes.includes(home) ? home : SCRATCH;
  const code = harnessRoot();
  // Bound back read-only (a no-op where / already shows it), unless a hidden home holds it; inside the workspace, its bind shows it.
  if (code && !isInside(workspace, code) && !homes.some((h) => isInside(h, code))) args.push('--ro-bind', code, code);
  for (const node of new Set([real(process.execPath), process.execPath]))
    args.push('--ro-bind', real(process.execPath), node);
  args.push('--bind', workspace, workspace);
  for (const b of o.binds ?? []) args.push(b.writable ? '--bind' : '--ro-bind', b.source, b.target ?? b.source);
  // Mounted over the workspace's bind (and any extra bind), so they hold inside it. Nothing inside can remove them: no capabilities, and mount/umount refused.
  const projectDir = real(tools.projectDir);
  const codeVloop = code ? path.join(code, '.vloop') : undefined;
  for (const hidden of new Set([projectDir, ...(codeVloop ? [codeVloop] : [])])) {
    if (fs.existsSync(hidden)) args.push('--tmpfs', hidden, '--chmod', '0000', hidden, '--remount-ro', hidden);
  }
  const policy = real(tools.policyPath);
  if (fs.existsSync(policy) && !isInside(projectDir, policy)) args.push('--ro-bind', '/dev/null', policy);
  for (const g of gitDirs(workspace)) args.push('--ro-bind', g, g);
  const setenv = {
    HOME: privateHome,
    TMPDIR: SCRATCH,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    ...o.setenv,
  };
  for (const [k, v] of Object.entries(setenv)) args.push('--setenv', k, v);
  args.push('--chdir', workspace, '--seccomp', '3');
  // bwrap reads the filter from fd 3: a small shell opens the file there, then becomes bwrap.
  return ['/bin/sh', '-c', 'exec 3<"$0" && exec "$@"', seccompFile(workspace), status.binary!, ...args, '--'];
}
