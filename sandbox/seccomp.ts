// The sandbox's seccomp filter as classic BPF (what bwrap's `--seccomp FD` loads): the syscalls that
// change mounts, namespaces, keys, the kernel or another process's memory fail with EPERM, whatever
// capabilities a process might hold; everything else is allowed.

/** One `struct sock_filter`: u16 code, u8 jt, u8 jf, u32 k. */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
export const EPERM = 1;
export const ENOSYS = 38;

/** Offsets into `struct seccomp_data`: int nr, u32 arch, u64 ip, u64 args[6] (little-endian: the low word first). */
const DATA_NR = 0;
const DATA_ARCH = 4;
const DATA_ARG0_LOW = 16;

/** Namespace bits of clone's flags: NEWTIME, NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
export const CLONE_NAMESPACE_FLAGS =
  0x00000080 | 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

/** Syscalls refused with EPERM (numbers of each architecture; a name the architecture lacks is left out). */
export const REFUSED_SYSCALLS = [
  'mount',
  'umount2',
  'pivot_root',
  'chroot',
  'move_mount',
  'open_tree',
  'open_tree_attr',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'mount_setattr',
  'unshare',
  'setns',
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'keyctl',
  'add_key',
  'request_key',
  'bpf',
  'perf_event_open',
  'userfaultfd',
  // io_uring performs file operations that seccomp never sees, as Docker's default profile knows.
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'open_by_handle_at',
  'name_to_handle_at',
  'swapon',
  'swapoff',
  'reboot',
  'syslog',
  'acct',
  'quotactl',
  'quotactl_fd',
] as const;
export type SyscallName = (typeof REFUSED_SYSCALLS)[number] | 'clone' | 'clone3';

export interface SeccompArch {
  /** AUDIT_ARCH_* as seen in seccomp_data.arch. */
  audit: number;
  /** x86_64 also accepts x32 syscalls (nr | 0x40000000), which must not slip past the number checks. */
  x32Bit?: number;
  numbers: Record<SyscallName, number>;
}

export const ARCHES: Record<'x64' | 'arm64', SeccompArch> = {
  x64: {
    audit: 0xc000003e,
    x32Bit: 0x40000000,
    numbers: {
      mount: 165,
      umount2: 166,
      pivot_root: 155,
      chroot: 161,
      move_mount: 429,
      open_tree: 428,
      open_tree_attr: 467,
      fsopen: 430,
      fsconfig: 431,
      fsmount: 432,
      fspick: 433,
      mount_setattr: 442,
      unshare: 272,
      setns: 308,
      clone: 56,
      clone3: 435,
      ptrace: 101,
      process_vm_readv: 310,
      process_vm_writev: 311,
      keyctl: 250,
      add_key: 248,
      request_key: 249,
      bpf: 321,
      perf_event_open: 298,
      userfaultfd: 323,
      io_uring_setup: 425,
      io_uring_enter: 426,
      io_uring_register: 427,
      kexec_load: 246,
      kexec_file_load: 320,
      init_module: 175,
      finit_module: 313,
      delete_module: 176,
      open_by_handle_at: 304,
      name_to_handle_at: 303,
      swapon: 167,
      swapoff: 168,
      reboot: 169,
      syslog: 103,
      acct: 163,
      quotactl: 179,
      quotactl_fd: 443,
    },
  },
  arm64: {
    audit: 0xc00000b7,
    numbers: {
      mount: 40,
      umount2: 39,
      pivot_root: 41,
      chroot: 51,
      move_mount: 429,
      open_tree: 428,
      open_tree_attr: 467,
      fsopen: 430,
      fsconfig: 431,
      fsmount: 432,
      fspick: 433,
      mount_setattr: 442,
      unshare: 97,
      setns: 268,
      clone: 220,
      clone3: 435,
      ptrace: 117,
      process_vm_readv: 270,
      process_vm_writev: 271,
      keyctl: 219,
      add_key: 217,
      request_key: 218,
      bpf: 280,
      perf_event_open: 241,
      userfaultfd: 282,
      io_uring_setup: 425,
      io_uring_enter: 426,
      io_uring_register: 427,
      kexec_load: 104,
      kexec_file_load: 294,
      init_module: 105,
      finit_module: 273,
      delete_module: 106,
      open_by_handle_at: 265,
      name_to_handle_at: 264,
      swapon: 224,
      swapoff: 225,
      reboot: 142,
      syslog: 116,
      acct: 89,
      quotactl: 60,
      quotactl_fd: 443,
    },
  },
};

/** The architecture this process runs on, or undefined where the filter has no table (the sandbox then is not active). */
export function seccompArch(arch: string = process.arch): SeccompArch | undefined {
  return arch === 'x64' || arch === 'arm64' ? ARCHES[arch] : undefined;
}

/**
 * The program: a foreign architecture is killed; clone3 answers ENOSYS (its flags sit in memory a
 * filter cannot read, and libc then falls back to clone); clone with a namespace flag, and every
 * refused syscall, answer EPERM; the rest is allowed.
 */
export function seccompProgram(arch: SeccompArch): BpfInstruction[] {
  type Target = 'allow' | 'eperm' | 'enosys' | 'clone' | 'kill';
  // Jumps are written with named targets, then resolved to the u8 offsets BPF wants (forward only).
  const body: Array<{ code: number; k: number; jt?: Target; jf?: Target; label?: Target }> = [];
  body.push({ code: BPF_LD_W_ABS, k: DATA_ARCH });
  body.push({ code: BPF_JEQ_K, k: arch.audit, jf: 'kill' });
  body.push({ code: BPF_LD_W_ABS, k: DATA_NR });
  if (arch.x32Bit) body.push({ code: BPF_JGE_K, k: arch.x32Bit, jt: 'eperm' });
  body.push({ code: BPF_JEQ_K, k: arch.numbers.clone3, jt: 'enosys' });
  body.push({ code: BPF_JEQ_K, k: arch.numbers.clone, jt: 'clone' });
  for (const name of REFUSED_SYSCALLS) body.push({ code: BPF_JEQ_K, k: arch.numbers[name], jt: 'eperm' });
  body.push({ code: BPF_RET_K, k: SECCOMP_RET_ALLOW, label: 'allow' });
  body.push({ code: BPF_LD_W_ABS, k: DATA_ARG0_LOW, label: 'clone' });
  body.push({ code: BPF_JSET_K, k: CLONE_NAMESPACE_FLAGS, jt: 'eperm' });
  body.push({ code: BPF_RET_K, k: SECCOMP_RET_ALLOW });
  body.push({ code: BPF_RET_K, k: SECCOMP_RET_ERRNO | EPERM, label: 'eperm' });
  body.push({ code: BPF_RET_K, k: SECCOMP_RET_ERRNO | ENOSYS, label: 'enosys' });
  body.push({ code: BPF_RET_K, k: SECCOMP_RET_KILL_PROCESS, label: 'kill' });
  const at = new Map(body.flatMap((ins, i) => (ins.label ? [[ins.label, i] as const] : [])));
  const offset = (from: number, to: Target | undefined) => {
    if (to === undefined) return 0;
    const distance = at.get(to)! - from - 1;
    if (distance < 0 || distance > 255)
      throw new Error(`seccomp program: a jump to ${to} spans ${distance} instructions`);
    return distance;
  };
  return body.map((ins, i) => ({ code: ins.code, k: ins.k >>> 0, jt: offset(i, ins.jt), jf: offset(i, ins.jf) }));
}

/** The program as bytes (8 per instruction, little-endian), as the kernel and bwrap read it. */
export function seccompBytes(program: BpfInstruction[]): Buffer {
  const out = Buffer.alloc(program.length * 8);
  program.forEach((ins, i) => {
    out.writeUInt16LE(ins.code, i * 8);
    out.writeUInt8(ins.jt, i * 8 + 2);
    out.writeUInt8(ins.jf, i * 8 + 3);
    out.writeUInt32LE(ins.k, i * 8 + 4);
  });
  return out;
}
