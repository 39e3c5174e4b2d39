// The sandbox's seccomp program, run by a small classic-BPF interpreter over the bytes the kernel
// would load: each refused syscall answers EPERM on both architectures, clone only with namespace
// flags, clone3 ENOSYS, a foreign architecture is killed, and ordinary syscalls pass.
import { describe, expect, it } from 'vitest';
import {
  ARCHES,
  CLONE_NAMESPACE_FLAGS,
  ENOSYS,
  EPERM,
  REFUSED_SYSCALLS,
  SECCOMP_RET_ALLOW,
  SECCOMP_RET_KILL_PROCESS,
  seccompBytes,
  seccompProgram,
  type SeccompArch,
} from '../../sandbox/seccomp.js';

/** Runs the program (as bytes) on one seccomp_data; supports the instructions a filter uses. */
function run(bytes: Buffer, data: { nr: number; arch: number; args?: number[] }): number {
  const mem = Buffer.alloc(64);
  mem.writeInt32LE(data.nr, 0);
  mem.writeUInt32LE(data.arch, 4);
  (data.args ?? []).forEach((a, i) => mem.writeBigUInt64LE(BigInt(a), 16 + i * 8));
  let acc = 0;
  for (let pc = 0; pc < bytes.length / 8; pc++) {
    const code = bytes.readUInt16LE(pc * 8);
    const jt = bytes.readUInt8(pc * 8 + 2);
    const jf = bytes.readUInt8(pc * 8 + 3);
    const k = bytes.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) acc = mem.readUInt32LE(k);
    else if (code === 0x06) return k;
    else if (code === 0x15) pc += acc === k ? jt : jf;
    else if (code === 0x35) pc += acc >= k ? jt : jf;
    else if (code === 0x45) pc += (acc & k) >>> 0 ? jt : jf;
    else throw new Error(`unexpected opcode ${code.toString(16)}`);
  }
  throw new Error('the program ran off its end');
}

const errno = (e: number) => 0x00050000 | e;

describe.each(Object.entries(ARCHES))('the seccomp program on %s', (_name, arch: SeccompArch) => {
  const bytes = seccompBytes(seccompProgram(arch));
  const call = (nr: number, args?: number[]) => run(bytes, { nr, arch: arch.audit, ...(args ? { args } : {}) });

  it('is 8 bytes per instruction, short enough for bwrap and the kernel', () => {
    expect(bytes.length % 8).toBe(0);
    expect(bytes.length / 8).toBeLessThan(4096);
  });

  it.each(REFUSED_SYSCALLS)('refuses %s with EPERM', (name) => {
    expect(call(arch.numbers[name])).toBe(errno(EPERM));
  });

  it('allows ordinary syscalls (read, write, openat, execve)', () => {
    for (const nr of [0, 1, 2, 3, 57, 59, 63, 64, 221, 257])
      if (!Object.values(arch.numbers).includes(nr)) expect(call(nr)).toBe(SECCOMP_RET_ALLOW);
  });

  it('allows clone for threads and fork, refuses it with any namespace flag', () => {
    expect(call(arch.numbers.clone, [0x3d0f00])).toBe(SECCOMP_RET_ALLOW);
    expect(call(arch.numbers.clone, [17])).toBe(SECCOMP_RET_ALLOW);
    for (let bit = 0; bit < 32; bit++) {
      const flag = (1 << bit) >>> 0;
      if (CLONE_NAMESPACE_FLAGS & flag) expect(call(arch.numbers.clone, [17 | flag])).toBe(errno(EPERM));
    }
    expect(call(arch.numbers.clone, [0x10000000])).toBe(errno(EPERM));
  });

  it('answers clone3 with ENOSYS, so libc falls back to clone', () => {
    expect(call(arch.numbers.clone3)).toBe(errno(ENOSYS));
  });

  it('kills a syscall made under another architecture', () => {
    expect(run(bytes, { nr: arch.numbers.mount, arch: 0x40000003 })).toBe(SECCOMP_RET_KILL_PROCESS);
    expect(run(bytes, { nr: 0, arch: 0x40000003 })).toBe(SECCOMP_RET_KILL_PROCESS);
  });
});

describe('x32 syscalls on x86_64', () => {
  it('are refused, so a refused number cannot come back with the x32 bit', () => {
    const bytes = seccompBytes(seccompProgram(ARCHES.x64));
    expect(run(bytes, { nr: 0x40000000 | ARCHES.x64.numbers.mount, arch: ARCHES.x64.audit })).toBe(errno(EPERM));
    expect(run(bytes, { nr: 0x40000000, arch: ARCHES.x64.audit })).toBe(errno(EPERM));
  });
});
