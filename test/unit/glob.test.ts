// One glob meaning for the policy's rules and the filesystem tool: a rule written as `src/**/*.ts`
// must reach the same files the tool's glob `src/**/*.ts` lists.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runFilesystem } from '../../activities/tools/filesystem.js';
import { globMatches } from '../../core/glob.js';
import { policySpec } from '../../core/policy.js';
import { makeWorkspace } from '../helpers/agent-setup.js';
import { ctx, judge, sh } from './policy/judge.js';

describe('globs', () => {
  const ws = makeWorkspace({ 'src/a.ts': '', 'src/lib/b.ts': '', 'src/c.js': '', 'src/.d.ts': '' });
  afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));
  const listed = (pattern: string) =>
    runFilesystem({ workspace: ws, protectedPaths: [] }, ws, { op: 'glob', path: '.', pattern })
      .split('\n')
      .filter(Boolean)
      .sort();
  const ruled = async (pattern: string, file: string) => {
    const policy = policySpec.parse({
      rules: [{ id: 'glob', tool: 'filesystem', action: 'deny', match: { path: pattern } }],
    });
    return (await judge({ tool: 'filesystem', args: { op: 'read', path: file } }, policy, ctx)).rule === 'glob';
  };

  it('agree between a policy rule and the filesystem tool', async () => {
    const files = ['src/a.ts', 'src/lib/b.ts', 'src/c.js', 'src/.d.ts'];
    for (const pattern of ['src/**/*.ts', 'src/*.ts', '**/*.ts', 'src/**', '*']) {
      const byRule: string[] = [];
      for (const f of files) if (await ruled(pattern, f)) byRule.push(f);
      expect({ pattern, files: byRule.sort() }).toEqual({ pattern, files: listed(pattern) });
    }
    expect(listed('src/**/*.ts')).toEqual(['src/.d.ts', 'src/a.ts', 'src/lib/b.ts']);
  });

  it('let a command rule star cross slashes, as before', async () => {
    const policy = policySpec.parse({
      rules: [{ id: 'no-rm', tool: 'terminal', action: 'deny', match: { command: 'rm *' } }],
    });
    expect((await sh('rm -rf src/lib', policy)).rule).toBe('no-rm');
  });

  it('read parentheses, pipes and backslashes as characters, as the rules always did', () => {
    expect(globMatches('echo $(id) *', 'echo $(id) a/b', 'text')).toBe(true);
    expect(globMatches('echo $(id) *', 'echo id a/b', 'text')).toBe(false);
    expect(globMatches('printf a\\n', 'printf a\\n', 'text')).toBe(true);
    expect(globMatches('a|b', 'a', 'text')).toBe(false);
  });

  it('match a hostile pattern in linear time', () => {
    const started = performance.now();
    expect(globMatches(`${'*a'.repeat(60)}*b`, `${'a'.repeat(4000)}c`, 'path')).toBe(false);
    expect(globMatches(`${'**/a'.repeat(30)}/b`, `${'a/'.repeat(2000)}c`, 'path')).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
