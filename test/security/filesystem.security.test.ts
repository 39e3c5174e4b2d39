// Class 3 of issue 28: the filesystem tool must not reach .vloop/ (read or write) nor write .git/,
// whatever the policy says and however the path is spelled: symlinks, hard links, /proc/self/root,
// a directory swapped for a symlink after the check.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFilesystem } from '../../activities/tools/filesystem.js';
import type { FileOperation } from '../../core/tools/define.js';
import { policyContext } from '../../db/policy-file.js';
import { ALLOW_ALL, SECRET_KEY, TOKEN, toolRunner, type ToolRunner } from '../helpers/tool-runner.js';

describe('filesystem tool against the harness directory', () => {
  let t: ToolRunner;
  const read = (p: string) => t.run({ tool: 'filesystem', args: { op: 'read', path: p } });
  /** A call either is refused or answers without the secret: never the secret in its output. */
  const leaks = async (call: () => Promise<{ output: string }>) => {
    const out = await call().then(
      (r) => r.output,
      (e: Error) => `refused: ${e.message}`,
    );
    return out.includes(TOKEN) || out.includes(SECRET_KEY) ? out : undefined;
  };

  beforeAll(() => {
    t = toolRunner();
    t.setPolicy({ rules: ALLOW_ALL });
    fs.symlinkSync('.vloop/token', path.join(t.ws, 'tok'));
    fs.symlinkSync('.vloop', path.join(t.ws, 'v'));
    fs.linkSync(path.join(t.project, 'secret.key'), path.join(t.ws, 'hard.txt'));
    fs.mkdirSync(path.join(t.ws, 'sub'));
    fs.linkSync(path.join(t.project, 'token'), path.join(t.ws, 'sub', 'notes.md'));
  });
  afterAll(() => fs.rmSync(t.ws, { recursive: true, force: true }));

  it.each([
    '.vloop/token',
    '.vloop/secret.key',
    '.vloop/harness.db',
    '.vloop/logs/harness.log',
    '.vloop/policy.json',
    './.vloop/../.vloop/token',
  ])('refuses reading %s under allow-everything rules', async (p) => {
    await expect(read(p)).rejects.toThrow(/refused right before running \(builtin:harness-dir\)/);
  });

  it('refuses listing, globbing and grepping inside .vloop', async () => {
    await expect(t.run({ tool: 'filesystem', args: { op: 'list', path: '.vloop' } })).rejects.toThrow(
      /builtin:harness-dir/,
    );
    await expect(t.run({ tool: 'filesystem', args: { op: 'grep', path: '.vloop', pattern: 'tok' } })).rejects.toThrow(
      /builtin:harness-dir/,
    );
    await expect(t.run({ tool: 'filesystem', args: { op: 'glob', path: '.vloop', pattern: '**' } })).rejects.toThrow(
      /builtin:harness-dir/,
    );
  });

  it('refuses a symlink to .vloop/token and a symlinked .vloop', async () => {
    await expect(read('tok')).rejects.toThrow(/builtin:harness-dir/);
    await expect(read('v/secret.key')).rejects.toThrow(/builtin:harness-dir/);
    await expect(t.run({ tool: 'filesystem', args: { op: 'list', path: 'v' } })).rejects.toThrow(/builtin:harness-dir/);
  });

  it('refuses /proc/self/root and /proc/self/cwd spellings', async () => {
    await expect(read(`/proc/self/root${t.project}/token`)).rejects.toThrow(/builtin:harness-dir/);
    await expect(read(`/proc/self/root${t.ws}/tok`)).rejects.toThrow(/builtin:harness-dir/);
  });

  it('never returns a hard link to a .vloop file, read directly or found by grep', async () => {
    expect(await leaks(() => read('hard.txt'))).toBeUndefined();
    expect(await leaks(() => read('sub/notes.md'))).toBeUndefined();
    expect(
      await leaks(() => t.run({ tool: 'filesystem', args: { op: 'grep', path: '.', pattern: 'tok_|key_' } })),
    ).toBeUndefined();
    expect(
      await leaks(() => t.run({ tool: 'filesystem', args: { op: 'grep', path: 'sub', pattern: '.' } })),
    ).toBeUndefined();
  });

  it('never writes through a hard link (the other name would change too)', async () => {
    await t
      .run({ tool: 'filesystem', args: { op: 'write', path: 'hard.txt', content: 'overwritten' } }, true)
      .catch(() => undefined);
    expect(fs.readFileSync(path.join(t.project, 'secret.key'), 'utf8')).toBe(SECRET_KEY);
  });

  it('refuses writing .vloop and .git (hooks, config, HEAD) even approved, and still reads .git', async () => {
    for (const p of ['.vloop/token', '.git/hooks/pre-commit', '.git/config', '.git/HEAD', 'v/policy.json']) {
      await expect(
        t.run({ tool: 'filesystem', args: { op: 'write', path: p, content: '#!/bin/sh\nid\n' } }, true),
        p,
      ).rejects.toThrow(/builtin:(harness-dir|protected-path)/);
    }
    expect(fs.existsSync(path.join(t.ws, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(fs.readFileSync(path.join(t.project, 'token'), 'utf8')).toBe(TOKEN);
    expect((await read('.git/HEAD')).output).toBe('ref: refs/heads/main\n');
  });

  it("refuses writing a nested repository's .git, a new one, or a .git file, even approved", async () => {
    fs.mkdirSync(path.join(t.ws, 'third_party', 'lib', '.git'), { recursive: true });
    for (const p of [
      'third_party/lib/.git/config',
      'deep/er/new/.git/config',
      'pkg/.git',
      'pkg/.git/hooks/post-checkout',
    ]) {
      await expect(
        t.run({ tool: 'filesystem', args: { op: 'write', path: p, content: '[core]\n\tfsmonitor = id\n' } }, true),
        p,
      ).rejects.toThrow(/builtin:protected-path/);
    }
    expect(fs.existsSync(path.join(t.ws, 'third_party', 'lib', '.git', 'config'))).toBe(false);
    expect(fs.existsSync(path.join(t.ws, 'deep'))).toBe(false);
    // A name that only starts like git's is an ordinary file.
    expect(
      (await t.run({ tool: 'filesystem', args: { op: 'write', path: 'pkg/.gitignore', content: 'x\n' } }, true)).ok,
    ).toBe(true);
  });

  it('checks the opened file and directory, not the checked name (a directory swapped for a symlink after the check)', () => {
    const guard = policyContext(t.tools);
    fs.symlinkSync(t.project, path.join(t.ws, 'swapped'));
    // The registry checked `swapped/token` while `swapped` was a plain directory; it is a symlink when the tool opens it.
    expect(() =>
      runFilesystem(guard, path.join(t.ws, 'swapped', 'token'), { op: 'read', path: 'swapped/token' }),
    ).toThrow(/harness directory/);
    expect(() => runFilesystem(guard, path.join(t.ws, 'swapped'), { op: 'list', path: 'swapped' })).toThrow(
      /harness directory/,
    );
    expect(() =>
      runFilesystem(guard, path.join(t.ws, 'swapped'), { op: 'grep', path: 'swapped', pattern: '.' }),
    ).toThrow(/harness directory/);
    expect(() =>
      runFilesystem(guard, path.join(t.ws, 'swapped', 'new.txt'), {
        op: 'write',
        path: 'swapped/new.txt',
        content: 'x',
      }),
    ).toThrow(/harness directory/);
    expect(fs.existsSync(path.join(t.project, 'new.txt'))).toBe(false);
  });

  it('does not hang on a FIFO planted in the workspace', async () => {
    execFileSync('mkfifo', [path.join(t.ws, 'pipe')]);
    await expect(read('pipe')).resolves.toMatchObject({
      ok: false,
      output: expect.stringMatching(/not a regular file/),
    });
  });
});

// Class 11 of issue 28: a hostile pattern must not stall the worker's event loop (a backtracking
// engine took seconds on one line); grep and glob match in time linear in what they read.
describe('filesystem patterns under a hostile model', () => {
  let t: ToolRunner;
  beforeAll(() => {
    t = toolRunner();
    t.setPolicy({ rules: ALLOW_ALL });
    fs.writeFileSync(path.join(t.ws, 'line.txt'), `${'a'.repeat(5000)}!\n`);
    fs.writeFileSync(path.join(t.ws, 'a'.repeat(200)), '');
  });
  afterAll(() => fs.rmSync(t.ws, { recursive: true, force: true }));

  /**
   * How long `args` takes against a plain call of the same op, both measured here under this moment's load: a
   * backtracking engine takes exponential time on these patterns (minutes and more), a linear one about the same.
   */
  const againstPlain = async (args: FileOperation, plain: FileOperation) => {
    const time = async (a: FileOperation) => {
      const started = performance.now();
      const r = await t.run({ tool: 'filesystem', args: a });
      return { r, ms: performance.now() - started };
    };
    const base = await time(plain);
    const hard = await time(args);
    expect(hard.ms).toBeLessThan(10 * base.ms + 1_000);
    return hard.r;
  };

  it('answers a catastrophic grep pattern at once', async () => {
    const r = await againstPlain(
      { op: 'grep', path: 'line.txt', pattern: '^(a+)+$' },
      { op: 'grep', path: 'line.txt', pattern: 'a!' },
    );
    expect(r.output).toBe('');
    const hit = await t.run({ tool: 'filesystem', args: { op: 'grep', path: 'line.txt', pattern: '^(a+)+!$' } });
    expect(hit.output).toMatch(/^line\.txt:1: a+!$/);
  });

  it('answers a glob of many stars at once', async () => {
    const r = await againstPlain(
      { op: 'glob', path: '.', pattern: `${'*a'.repeat(40)}*b` },
      { op: 'glob', path: '.', pattern: '*b' },
    );
    expect(r.output).toBe('');
  });

  it('names a pattern the linear engine does not take', async () => {
    const r = await t.run({ tool: 'filesystem', args: { op: 'grep', path: 'line.txt', pattern: '(a)\\1' } });
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/grep's pattern .*RE2/);
  });
});
