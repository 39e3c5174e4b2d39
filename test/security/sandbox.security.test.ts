// The terminal sandbox as a boundary, attacked for real in bubblewrap: a command that the policy let
// through must not gain root or capabilities, mount or unmount anything (the tmpfs hiding .vloop
// included), remount / read-write, write outside the workspace, read .vloop through any path, plant
// git hooks or config, open a user namespace, ptrace, or see the host's HOME/GIT_*/TAR_OPTIONS/LD_*.
// Each refusal has a control showing the same probe can pass where nothing stops it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxArgv, sandboxStatus } from '../../sandbox/index.js';
import { runTerminal } from '../../activities/tools/terminal.js';
import { spawnHarness, until } from '../helpers/processes.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-sandbox-attack-'));
const ws = path.join(root, 'ws');
const home = path.join(root, 'home');
const projectDir = path.join(ws, '.vloop');
const gitDir = path.join(ws, '.git');
const outside = path.join(root, 'outside');
const env = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  LANG: 'C.UTF-8',
  HOME: home,
  XDG_CONFIG_HOME: path.join(ws, 'cfg'),
  GIT_DIR: path.join(ws, 'evil'),
  GIT_CONFIG_PARAMETERS: "'core.fsmonitor'='touch /tmp/pwned'",
  TAR_OPTIONS: '--to-command=id',
  LD_LIBRARY_PATH: '/nonexistent',
  BASH_ENV: path.join(ws, 'evil.sh'),
};
const tools = {
  sandbox: 'auto' as const,
  env,
  workspace: ws,
  home,
  projectDir,
  policyPath: path.join(projectDir, 'policy.json'),
};

/** Syscall numbers of this machine (x86_64 or aarch64), for probes that must reach the kernel, not a userspace check. */
const NR =
  process.arch === 'arm64' ? { mount: 40, umount2: 39, ptrace: 117 } : { mount: 165, umount2: 166, ptrace: 101 };
/** A perl one-liner that makes a raw syscall and prints `<name>=<result> <errno text>`. */
const perl = (body: string) => `perl -e '${body}'`;
const rawMount = (target: string, flags = 0, type = 'tmpfs') =>
  perl(
    `my ($s,$t,$f)=("none","${target}","${type}"); my $r = syscall(${NR.mount}, $s, $t, $f, ${flags}, 0); print "mount=$r $!\\n"`,
  );
const rawUmount = (target: string) =>
  perl(`my $t = "${target}"; my $r = syscall(${NR.umount2}, $t, 2); print "umount=$r $!\\n"`);
const rawPtrace = perl(
  `my $p = fork(); if (!$p) { sleep 5; exit 0 } my $r = syscall(${NR.ptrace}, 16, $p, 0, 0); print "ptrace=$r $!\\n"; kill 9, $p`,
);

const argv = (network = false) => sandboxArgv(sandboxStatus(tools), tools, { network });
const inSandbox = (command: string) =>
  runTerminal(command, ws, { env, timeoutMs: 20_000, maxBytes: 20_000, sandbox: argv() });
/** The same probe under a bwrap that keeps root and every capability and has no filter: shows the probe can pass. */
const unconfined = (command: string) => {
  const r = spawnSync(
    'bwrap',
    [
      '--unshare-user',
      '--uid',
      '0',
      '--gid',
      '0',
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--tmpfs',
      '/var/tmp',
      '--',
      'bash',
      '-c',
      command,
    ],
    { encoding: 'utf8' },
  );
  return `${r.stdout}${r.stderr}`;
};

beforeAll(() => {
  for (const d of [
    ws,
    path.join(home, '.ssh'),
    projectDir,
    outside,
    path.join(gitDir, 'hooks'),
    path.join(ws, 'vendored', '.git', 'hooks'),
  ])
    fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'CANARY-SSH-KEY');
  fs.writeFileSync(path.join(projectDir, 'token'), 'CANARY-TOKEN');
  fs.writeFileSync(tools.policyPath, '{"rules":[],"canary":"CANARY-POLICY"}');
  fs.writeFileSync(path.join(gitDir, 'config'), '[core]\n\trepositoryformatversion = 0\n');
  fs.writeFileSync(path.join(gitDir, 'HEAD'), 'ref: refs/heads/main\n');
  // Planted before the command runs, as an agent's earlier call would have.
  fs.symlinkSync(path.join(projectDir, 'token'), path.join(ws, 'planted-link'));
  fs.symlinkSync('.vloop', path.join(ws, 'planted-dir'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the terminal sandbox is the boundary (bubblewrap, attacked for real)', () => {
  it('runs as an unprivileged user with no capabilities, no_new_privs and a seccomp filter', async () => {
    const r = await inSandbox('id -u; grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status');
    expect(r.exitCode, r.output).toBe(0);
    const [uid] = r.output.split('\n');
    expect(uid, 'uid inside the sandbox').not.toBe('0');
    expect(r.output, r.output).toMatch(/CapEff:\s+0000000000000000/);
    expect(r.output, r.output).toMatch(/CapBnd:\s+0000000000000000/);
    expect(r.output, r.output).toMatch(/NoNewPrivs:\s+1/);
    expect(r.output, r.output).toMatch(/Seccomp:\s+2/);
  });

  it('refuses a mount (the mount command and the raw syscall)', async () => {
    expect(unconfined(rawMount('/var/tmp'))).toContain('mount=0 ');
    const r = await inSandbox(`mount -t tmpfs none /var/tmp && echo MOUNTED; ${rawMount('/var/tmp')}; ${rawMount(ws)}`);
    expect(r.output).not.toContain('MOUNTED');
    expect(r.output).not.toMatch(/mount=0 /);
  });

  it('cannot unmount what hides .vloop, then read the token', async () => {
    expect(unconfined(`${rawMount('/var/tmp')}; ${rawUmount('/var/tmp')}`)).toContain('umount=0 ');
    const r = await inSandbox(
      `umount ${projectDir}; umount -l ${projectDir}; ${rawUmount(projectDir)}; cat ${projectDir}/token`,
    );
    expect(r.output).not.toMatch(/umount=0 /);
    expect(r.output).not.toContain('CANARY-TOKEN');
  });

  it('cannot remount / read-write and write on the host', async () => {
    const target = path.join(outside, 'remounted.txt');
    const MS_REMOUNT = 32;
    const r = await inSandbox(
      `mount -o remount,rw / ; mount -o remount,rw ${outside}; ${rawMount('/', MS_REMOUNT, '')}; ${rawMount(outside, MS_REMOUNT | 4096, '')}; echo x > ${target}; echo done`,
    );
    expect(r.output).toContain('done');
    expect(r.output).not.toMatch(/mount=0 /);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('writes the workspace and nothing outside it (host tmp, the system, the home)', async () => {
    const r = await inSandbox(
      `echo inside > ${ws}/made.txt; echo x > ${outside}/escaped.txt; echo x > ${os.tmpdir()}/vloop-escaped-${process.pid}; echo x > /etc/vloop-escaped; echo x > ${home}/escaped; echo done`,
    );
    expect(r.output).toContain('done');
    expect(fs.readFileSync(path.join(ws, 'made.txt'), 'utf8')).toBe('inside\n');
    expect(fs.existsSync(path.join(outside, 'escaped.txt'))).toBe(false);
    expect(fs.existsSync(path.join(os.tmpdir(), `vloop-escaped-${process.pid}`))).toBe(false);
    expect(fs.existsSync('/etc/vloop-escaped')).toBe(false);
    expect(fs.existsSync(path.join(home, 'escaped'))).toBe(false);
  });

  it('does not show .vloop: no listing, no token, not through a planted symlink, not through /proc', async () => {
    expect(fs.readFileSync(path.join(ws, 'planted-link'), 'utf8')).toBe('CANARY-TOKEN');
    const r = await inSandbox(
      `ls -A ${projectDir}; cat ${projectDir}/token; cat ${ws}/planted-link; cat ${ws}/planted-dir/token; cat /proc/self/root${projectDir}/token; cat /proc/1/root${projectDir}/token; ln -s ${projectDir}/token ${ws}/inner-link; cat ${ws}/inner-link; cp -r ${projectDir} ${ws}/copy; cat ${ws}/copy/token; echo done`,
    );
    expect(r.output).toContain('done');
    expect(r.output).not.toContain('CANARY-TOKEN');
    expect(r.output).not.toContain('token\n');
    expect(r.output).not.toContain('policy.json');
  });

  it("cannot write .git (nor a nested repository's): no hooks, no config (core.fsmonitor), no new files", async () => {
    const before = fs.readFileSync(path.join(gitDir, 'config'), 'utf8');
    const r = await inSandbox(
      `printf '#!/bin/sh\\ntouch /tmp/pwned\\n' > .git/hooks/pre-commit; chmod +x .git/hooks/pre-commit; git config core.fsmonitor 'touch /tmp/pwned'; printf '[core]\\n\\tfsmonitor = touch /tmp/pwned\\n' >> .git/config; mkdir .git/hooks2; echo x > .git/info-planted; echo x > vendored/.git/hooks/post-checkout; echo inside > workspace-ok.txt; echo done`,
    );
    expect(r.output).toContain('done');
    expect(fs.readFileSync(path.join(ws, 'workspace-ok.txt'), 'utf8')).toBe('inside\n');
    expect(fs.existsSync(path.join(gitDir, 'hooks', 'pre-commit'))).toBe(false);
    expect(fs.readFileSync(path.join(gitDir, 'config'), 'utf8')).toBe(before);
    expect(fs.existsSync(path.join(gitDir, 'hooks2'))).toBe(false);
    expect(fs.existsSync(path.join(gitDir, 'info-planted'))).toBe(false);
    expect(
      fs.existsSync(path.join(ws, 'vendored', '.git', 'hooks', 'post-checkout')),
      "a nested repository's hook",
    ).toBe(false);
  });

  it.runIf(process.getuid?.() === 0)(
    'run by root, cannot read what only root may read (/etc/shadow, /etc/ssl/private)',
    async () => {
      expect(fs.readFileSync('/etc/shadow', 'utf8')).toMatch(/^root:/);
      const r = await inSandbox('cat /etc/shadow; ls -A /etc/ssl/private; cat /etc/gshadow; echo done');
      expect(r.output).toContain('done');
      expect(r.output).not.toMatch(/^root:/m);
    },
  );

  it('refuses a new user namespace (unshare -U, a nested bwrap) and ptrace', async () => {
    expect(spawnSync('unshare', ['-U', 'true']).status).toBe(0);
    expect(spawnSync('bash', ['-c', rawPtrace], { encoding: 'utf8' }).stdout).toContain('ptrace=0 ');
    const r = await inSandbox(
      `unshare -U true && echo UNSHARED; unshare -Ur id && echo UNSHARED; bwrap --ro-bind / / true && echo NESTED; ${rawPtrace}`,
    );
    expect(r.output).not.toContain('UNSHARED');
    expect(r.output).not.toContain('NESTED');
    expect(r.output).toMatch(/ptrace=-1 /);
  });

  it('refuses io_uring, whose file operations seccomp never sees', async () => {
    // io_uring_setup(1, params) on the host answers a descriptor; in the sandbox EPERM.
    const setup = perl(`my $p = "\\0" x 120; my $r = syscall(425, 1, $p); print "uring=$r $!\\n"`);
    expect(spawnSync('bash', ['-c', setup], { encoding: 'utf8' }).stdout).toMatch(/uring=\d+ /);
    expect((await inSandbox(setup)).output).toMatch(/uring=-1 Operation not permitted/);
  });

  it('sees only the scrubbed environment: no host HOME, XDG_*, GIT_*, TAR_OPTIONS, LD_*, BASH_ENV', async () => {
    const r = await inSandbox('env; echo HOME-IS=$HOME; ls -A "$HOME"; touch "$HOME/ok" && echo HOME-WRITABLE');
    expect(r.output).toContain('PATH=/usr/local/bin:/usr/bin:/bin');
    expect(r.output).toContain('LANG=C.UTF-8');
    expect(r.output).toContain('HOME-WRITABLE');
    expect(r.output).not.toContain('.ssh');
    for (const name of [
      'XDG_CONFIG_HOME',
      'GIT_DIR',
      'GIT_CONFIG_PARAMETERS',
      'TAR_OPTIONS',
      'LD_LIBRARY_PATH',
      'BASH_ENV',
    ])
      expect(r.output).not.toMatch(new RegExp(`^${name}=`, 'm'));
    expect(fs.existsSync(path.join(home, 'ok')), 'the private HOME reached the host home').toBe(false);
  });

  it('is reported active only after a probe proved each property', () => {
    const status = sandboxStatus(tools) as { active: boolean; properties?: Array<{ name: string; ok: boolean }> };
    expect(status.active).toBe(true);
    const names = (status.properties ?? []).filter((p) => p.ok).map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'unprivileged user',
        'no capabilities',
        'no_new_privs',
        'seccomp filter',
        'mount refused',
        'umount refused',
        'write outside refused',
        '.vloop unreadable',
        '.git read-only',
        'workspace writable',
        'host sockets unreachable',
      ]),
    );
  });

  it('is reported inactive, naming the property, when the probe finds one missing', () => {
    // A workspace the sandbox's user cannot write: bwrap runs, and the probe's control fails.
    const locked = path.join(root, 'locked');
    fs.mkdirSync(locked);
    fs.chmodSync(locked, 0o555);
    const status = sandboxStatus({
      ...tools,
      workspace: locked,
      projectDir: path.join(locked, '.vloop'),
      policyPath: path.join(locked, '.vloop', 'policy.json'),
    });
    expect(status.active).toBe(false);
    expect(status.reason).toMatch(/workspace writable \(a file in the workspace: refused\)/);
  });

  it('harness doctor prints each property as probed', async () => {
    const p = spawnHarness(['doctor'], {
      VLOOP_PROJECT_DIR: projectDir,
      HARNESS_WORKSPACE: ws,
      HOME: home,
      HARNESS_PORT: '1',
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    await p.exitCode;
    const out = p.output();
    expect(out).toMatch(/✓ terminal sandbox\s+active \(.*bwrap\)/);
    for (const line of [
      /✓\s+unprivileged user\s+uid 65534 inside/,
      /✓\s+no capabilities\s+CapEff: 0{16}/,
      /✓\s+mount refused\s+mount -t tmpfs: refused; mount\(2\): refused/,
      /✓\s+\.vloop unreadable/,
      /✓\s+\.git read-only/,
      /✓\s+write outside refused/,
      /✓\s+host sockets unreachable\s+a unix socket listening in the host's \/tmp: refused/,
    ])
      expect(out).toMatch(line);
  });
});

describe("the sandbox sees nothing of the host's /tmp but what commands need (sockets, other projects, the harness's own .vloop)", () => {
  const repoRoot = path.resolve(import.meta.dirname, '../..');
  const sockDir = fs.mkdtempSync('/tmp/vloop-host-sock-');
  const sock = path.join(sockDir, 's.sock');
  const otherProject = fs.mkdtempSync('/tmp/vloop-proj-');
  let connections = 0;
  const server = net.createServer((c) => {
    connections++;
    c.end();
  });
  const connect = perl(
    `use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => "${sock}"); print $s ? "CONNECTED\\n" : "refused=$!\\n"`,
  );

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    fs.mkdirSync(path.join(otherProject, '.vloop'));
    fs.writeFileSync(path.join(otherProject, '.vloop', 'secret.key'), 'CANARY-OTHER-PROJECT');
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(sockDir, { recursive: true, force: true });
    fs.rmSync(otherProject, { recursive: true, force: true });
  });

  it('cannot connect to a unix socket a host process listens on under /tmp (a tmux, an ssh-agent, another harness)', async () => {
    // Control: from the host the same client connects, and the server counts it.
    expect(spawnSync('bash', ['-c', connect], { encoding: 'utf8' }).stdout).toContain('CONNECTED');
    await until(() => connections === 1, 'the host server counts the control connection', 20_000);
    const r = await inSandbox(`${connect}; ls -A ${sockDir}; echo done`);
    expect(r.output).toContain('done');
    expect(r.output).not.toContain('CONNECTED');
    expect(r.output).not.toContain('s.sock');
    expect(connections, 'connections the host server saw').toBe(1);
  });

  it("cannot read another project's .vloop under /tmp", async () => {
    expect(fs.readFileSync(path.join(otherProject, '.vloop', 'secret.key'), 'utf8')).toBe('CANARY-OTHER-PROJECT');
    const r = await inSandbox(`cat ${otherProject}/.vloop/secret.key; ls -A ${otherProject}/.vloop; echo done`);
    expect(r.output).toContain('done');
    expect(r.output).not.toContain('CANARY-OTHER-PROJECT');
    expect(r.output).not.toMatch(/^secret\.key$/m);
  });

  it('has its own /dev/shm', async () => {
    const marker = `/dev/shm/vloop-host-${process.pid}`;
    fs.writeFileSync(marker, 'CANARY-SHM');
    try {
      const r = await inSandbox(`cat ${marker}; ls -A /dev/shm; echo x > /dev/shm/inside; echo done`);
      expect(r.output).toContain('done');
      expect(r.output).not.toContain('CANARY-SHM');
      expect(fs.existsSync('/dev/shm/inside')).toBe(false);
    } finally {
      fs.rmSync(marker, { force: true });
    }
  });

  it.runIf(fs.existsSync(path.join(repoRoot, '.vloop')))(
    "cannot read the harness's own .vloop, yet its code and node run",
    async () => {
      const token = path.join(repoRoot, '.vloop', 'token');
      const r = await inSandbox(
        `ls -A ${repoRoot}/.vloop; cat ${token}; test -r ${repoRoot}/package.json && echo CODE-VISIBLE; ${process.execPath} -e 'console.log("NODE-" + "RUNS")'; echo done`,
      );
      expect(r.output).toContain('done');
      expect(r.output).toContain('CODE-VISIBLE');
      expect(r.output).toContain('NODE-RUNS');
      // Compared as a boolean, so a failure never prints the real token.
      if (fs.existsSync(token))
        expect(r.output.includes(fs.readFileSync(token, 'utf8').trim()), 'the harness token inside').toBe(false);
      expect(r.output).not.toMatch(/^(token|secret\.key|harness\.db)$/m);
    },
  );
});

describe('no repository in the workspace takes git config or hooks from a command', () => {
  beforeAll(() => {
    const deep = path.join(ws, 'third_party', 'lib', 'x', '.git');
    fs.mkdirSync(path.join(deep, 'hooks'), { recursive: true });
    fs.writeFileSync(path.join(deep, 'config'), '[core]\n\trepositoryformatversion = 0\n');
  });

  it('cannot write a nested .git deeper than one level', async () => {
    const config = path.join(ws, 'third_party', 'lib', 'x', '.git', 'config');
    const before = fs.readFileSync(config, 'utf8');
    const r = await inSandbox(
      `printf '[core]\\n\\tfsmonitor = touch /tmp/pwned\\n' >> ${config}; echo x > third_party/lib/x/.git/hooks/pre-commit; echo done`,
    );
    expect(r.output).toContain('done');
    expect(fs.readFileSync(config, 'utf8')).toBe(before);
    expect(fs.existsSync(path.join(ws, 'third_party', 'lib', 'x', '.git', 'hooks', 'pre-commit'))).toBe(false);
  });

  it('moves aside a .git the command created (a directory, a file, one put where another was)', async () => {
    const r = await inSandbox(
      `mkdir -p made/a/.git && printf '[core]\\n\\tfsmonitor = touch /tmp/pwned\\n' > made/a/.git/config; mkdir -p made/b && printf 'gitdir: ../evil\\n' > made/b/.git; mv third_party/lib/x third_party/lib/x-old && mkdir -p third_party/lib/x/.git && echo planted > third_party/lib/x/.git/config; echo done`,
    );
    expect(r.output).toContain('done');
    for (const dir of ['made/a', 'made/b', 'third_party/lib/x']) {
      expect(fs.existsSync(path.join(ws, dir, '.git')), `${dir}/.git after the command`).toBe(false);
      expect(
        fs.readdirSync(path.join(ws, dir)).some((n) => n.startsWith('.git.quarantined-')),
        `${dir}/.git moved aside`,
      ).toBe(true);
      expect(r.output).toContain(`[a .git this command created was moved aside: ${path.join(ws, dir, '.git')}`);
    }
    // The repository the command moved away is the one it found, unchanged.
    expect(fs.readFileSync(path.join(ws, 'third_party', 'lib', 'x-old', '.git', 'config'), 'utf8')).toContain(
      'repositoryformatversion',
    );
  });
});
