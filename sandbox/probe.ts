// What `harness doctor` and the sandbox's status rest on: a script run inside the real sandbox that
// tries each thing the boundary must refuse (and a control that must succeed), and the reading of
// its output into named properties. The sandbox counts as active only when every property holds.

export interface SandboxProperty {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ProbeTargets {
  workspace: string;
  /** The harness directory, when it exists on the host. */
  projectDir?: string;
  /** The workspace's .git, when it exists. */
  gitDir?: string;
  /** A file on the host, outside the workspace, that the probe tries to create. */
  outsideFile: string;
  /** A unix socket a host process listens on under the host's /tmp (a tmux, an ssh-agent would be one). */
  hostSocket?: string;
  /** Raw syscall numbers for mount and umount2 (perl's syscall reaches the kernel, not a userspace check). */
  nr: { mount: number; umount2: number };
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The probe, as one `sh -c` script; each line it prints is `key=value`. */
export function probeScript(t: ProbeTargets): string {
  const lines = [
    'echo "uid=$(id -u)"',
    `sed -n 's/^\\(CapEff\\|CapBnd\\|NoNewPrivs\\|Seccomp\\):[[:space:]]*/\\1=/p' /proc/self/status`,
    'if mount -t tmpfs none "$TMPDIR" 2>/dev/null; then echo mount-command=succeeded; else echo mount-command=refused; fi',
    `if umount ${q(t.workspace)} 2>/dev/null || umount /proc 2>/dev/null; then echo umount-command=succeeded; else echo umount-command=refused; fi`,
    'if unshare -U true 2>/dev/null; then echo unshare=succeeded; else echo unshare=refused; fi',
    // The raw syscalls: perl ships with every Debian-like system; without it the commands above stand alone.
    `if command -v perl >/dev/null; then perl -e 'my ($s,$t,$f)=("none",$ENV{TMPDIR},"tmpfs"); my $r = syscall(${t.nr.mount}, $s, $t, $f, 0, 0); print "mount-syscall=", ($r == 0 ? "succeeded" : "refused"), "\\n"; my $u = "/proc"; $r = syscall(${t.nr.umount2}, $u, 2); print "umount-syscall=", ($r == 0 ? "succeeded" : "refused"), "\\n"'; else echo mount-syscall=untried; echo umount-syscall=untried; fi`,
    `if (: > ${q(t.outsideFile)}) 2>/dev/null; then echo outside=written; else echo outside=refused; fi`,
    `f=${q(`${t.workspace}/.vloop-sandbox-probe`)}-$$; if (: > "$f") 2>/dev/null && rm -f "$f"; then echo workspace=written; else echo workspace=refused; fi`,
    'if [ -z "$(ls -A "$HOME" 2>/dev/null)" ] && (: > "$HOME/.probe") 2>/dev/null; then echo home=private; else echo home=shared; fi',
    `awk -F: 'NR > 2 { gsub(/ /, "", $1); if ($1 != "lo") n++ } END { print "interfaces=" n + 0 }' /proc/net/dev`,
  ];
  if (t.hostSocket) {
    lines.push(
      `if command -v perl >/dev/null; then perl -MIO::Socket::UNIX -e 'print "host-socket=", (IO::Socket::UNIX->new(Peer => $ARGV[0]) ? "connected" : "refused"), "\\n"' ${q(t.hostSocket)}; else echo host-socket=untried; fi`,
    );
  }
  if (t.projectDir) {
    const p = q(t.projectDir);
    lines.push(
      `if [ -n "$(ls -A ${p} 2>/dev/null)" ] || (: > ${p}/.probe) 2>/dev/null; then echo vloop=visible; else echo vloop=hidden; fi`,
    );
  }
  if (t.gitDir) {
    const g = q(`${t.gitDir}/vloop-sandbox-probe`);
    lines.push(`if (: > ${g}-$$) 2>/dev/null; then rm -f ${g}-$$; echo git=writable; else echo git=read-only; fi`);
  }
  return lines.join('\n');
}

/**
 * The properties the probe's output proves. `outsideExists` is the host's own look at the file the
 * probe tried to create outside the workspace (it must not be there whatever the script said).
 */
export function readProbe(
  output: string,
  t: Pick<ProbeTargets, 'projectDir' | 'gitDir' | 'hostSocket'>,
  outsideExists: boolean,
): SandboxProperty[] {
  const v = new Map(
    output
      .split('\n')
      .flatMap((l) =>
        /^[\w-]+=/.test(l) ? [[l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()] as const] : [],
      ),
  );
  const is = (key: string, expected: string, detail: string): SandboxProperty => ({
    name: '',
    ok: v.get(key) === expected,
    detail: `${detail}: ${v.get(key) ?? 'no answer'}`,
  });
  const named = (name: string, p: SandboxProperty) => ({ ...p, name });
  const uid = v.get('uid');
  const props: SandboxProperty[] = [
    { name: 'unprivileged user', ok: uid !== undefined && uid !== '0', detail: `uid ${uid ?? '(no answer)'} inside` },
    named('no capabilities', is('CapEff', '0000000000000000', 'CapEff')),
    named('no_new_privs', is('NoNewPrivs', '1', 'NoNewPrivs')),
    named('seccomp filter', is('Seccomp', '2', 'Seccomp mode')),
    {
      name: 'mount refused',
      ok: v.get('mount-command') === 'refused' && v.get('mount-syscall') !== 'succeeded',
      detail: `mount -t tmpfs: ${v.get('mount-command') ?? 'no answer'}; mount(2): ${v.get('mount-syscall') ?? 'no answer'}`,
    },
    {
      name: 'umount refused',
      ok: v.get('umount-command') === 'refused' && v.get('umount-syscall') !== 'succeeded',
      detail: `umount: ${v.get('umount-command') ?? 'no answer'}; umount2(2): ${v.get('umount-syscall') ?? 'no answer'}`,
    },
    named('namespaces refused', is('unshare', 'refused', 'unshare -U')),
    // The host's own look decides: a file written in a private tmpfs inside (the host's /tmp there) never reaches it.
    {
      name: 'write outside refused',
      ok: v.has('outside') && !outsideExists,
      detail: `a file outside the workspace: ${v.get('outside') ?? 'no answer'}${outsideExists ? ' (and it is on the host)' : ''}`,
    },
    named('workspace writable', is('workspace', 'written', 'a file in the workspace')),
    named('private home', is('home', 'private', 'HOME')),
    {
      name: 'network off',
      ok: v.get('interfaces') === '0',
      detail: `${v.get('interfaces') ?? 'no answer'} interfaces besides lo`,
    },
  ];
  if (t.hostSocket)
    props.push({
      name: 'host sockets unreachable',
      ok: v.has('host-socket') && v.get('host-socket') !== 'connected',
      detail: `a unix socket listening in the host's /tmp: ${v.get('host-socket') ?? 'no answer'}`,
    });
  if (t.projectDir) props.push(named('.vloop unreadable', is('vloop', 'hidden', '.vloop')));
  if (t.gitDir) props.push(named('.git read-only', is('git', 'read-only', '.git')));
  return props;
}
