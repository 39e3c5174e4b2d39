// The terminal's OS sandbox (bubblewrap): the system read-only, the workspace read-write, the
// harness directory, the policy file, the user's home and the host's sockets hidden, a private
// scratch directory (TMPDIR), its own pid namespace, and no network unless the policy let this
// command reach it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isInside } from '../../core/policy.js';
import type { ToolsConfig } from '../../config/index.js';

export interface SandboxStatus {
  active: boolean;
  /** The bwrap binary, when found. */
  binary?: string;
  /** Why the sandbox is not active. */
  reason?: string;
}

const cached = new Map<string, SandboxStatus>();

function findBinary(searchPath: string): string | undefined {
  for (const dir of searchPath.split(':').filter(Boolean)) {
    const candidate = path.join(dir, 'bwrap');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Whether bwrap is installed and can create its namespaces here (checked once per process and setting). */
export function sandboxStatus(tools: Pick<ToolsConfig, 'sandbox' | 'env'>): SandboxStatus {
  const key = `${tools.sandbox}:${tools.env.PATH ?? ''}`;
  const known = cached.get(key);
  if (known) return known;
  const status = probe(tools);
  cached.set(key, status);
  return status;
}

function probe(tools: Pick<ToolsConfig, 'sandbox' | 'env'>): SandboxStatus {
  if (tools.sandbox === 'off') return { active: false, reason: 'the sandbox is turned off (HARNESS_SANDBOX=off)' };
  const binary = findBinary(`${tools.env.PATH ?? ''}:/usr/bin:/bin`);
  if (!binary) return { active: false, reason: 'bubblewrap (bwrap) is not installed: apt-get install bubblewrap' };
  const r = spawnSync(binary, ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-net', '--unshare-pid', '--die-with-parent', '--', 'true'], { timeout: 10_000, encoding: 'utf8' });
  if (r.status !== 0) return { active: false, binary, reason: `bwrap cannot create its namespaces here: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}` };
  return { active: true, binary };
}

/** The argv that runs `bash -c command` inside the sandbox for this workspace. */
export function sandboxArgv(status: SandboxStatus, tools: Pick<ToolsConfig, 'workspace' | 'home' | 'projectDir' | 'policyPath'>, o: { network: boolean }): string[] {
  return [...sandboxPrefix(status, tools, o), 'bash', '-c'];
}

/** bwrap and its options, up to `--`: what runs any program (a stdio MCP server too) confined. */
export function sandboxPrefix(status: SandboxStatus, tools: Pick<ToolsConfig, 'workspace' | 'home' | 'projectDir' | 'policyPath'>, o: { network: boolean }): string[] {
  const real = (p: string) => (fs.existsSync(p) ? fs.realpathSync(p) : path.resolve(p));
  const workspace = real(tools.workspace);
  // The host's /tmp stays visible read-only like the rest of the system (a project or an MCP server may
  // be installed there); scratch space is a private tmpfs at /var/tmp, named by TMPDIR.
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/var/tmp', '--setenv', 'TMPDIR', '/var/tmp', '--tmpfs', '/run'];
  const home = real(tools.home);
  if (fs.existsSync(home) && !isInside(home, '/') && !isInside(workspace, home)) args.push('--tmpfs', home);
  args.push('--bind', workspace, workspace);
  // Hidden after the workspace is bound: they may lie inside it.
  const projectDir = real(tools.projectDir);
  if (fs.existsSync(projectDir)) args.push('--tmpfs', projectDir);
  const policy = real(tools.policyPath);
  if (fs.existsSync(policy) && !isInside(projectDir, policy)) args.push('--ro-bind', '/dev/null', policy);
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--die-with-parent', '--new-session', '--chdir', workspace);
  if (!o.network) args.push('--unshare-net');
  return [status.binary!, ...args, '--'];
}
