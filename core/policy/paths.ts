// Paths: where a tool's path resolves, the guard every tool shares (the harness directory, outside the
// workspace, protected paths), and a path judged by the rules of the tool that names it.
import { globMatches } from '../glob.js';
import { userRules } from './rules.js';
import type { Policy, PolicyContext, PolicyDecision } from './spec.js';

/** POSIX path normalisation, pure (core/ has no node:path). */
export function normalizePath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (!part || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `${abs ? '/' : ''}${out.join('/')}` || (abs ? '/' : '.');
}

export function resolveToolPath(ctx: PolicyContext, p: string): string {
  const expanded = p === '~' || p.startsWith('~/') ? ctx.home + p.slice(1) : p;
  const lexical = normalizePath(expanded.startsWith('/') ? expanded : `${ctx.workspace}/${expanded}`);
  return ctx.realpath ? ctx.realpath(lexical) : lexical;
}

/** Inside means equal to the root or below it: `/ws-evil` is not inside `/ws`. */
export function isInside(root: string, p: string): boolean {
  const r = root.endsWith('/') && root !== '/' ? root.slice(0, -1) : root;
  return p === r || p.startsWith(r === '/' ? '/' : `${r}/`);
}

/**
 * Whether a path is git's, at any depth: a `.git` directory or file of the workspace's own repository,
 * a nested one, or one not made yet. The user's own git runs the hooks and config found there.
 */
export function isGitPath(workspace: string, p: string): boolean {
  return isInside(workspace, p) && p.slice(workspace.length).split('/').includes('.git');
}

/** The built-in guard every tool shares: the harness directory and outside the workspace are denied, and so (unless only writes are) are protected paths. */
export function guardPath(
  ctx: PolicyContext,
  raw: string,
  what: string,
  o: { protectedToo?: boolean } = {},
): { path: string; denied?: PolicyDecision } {
  const p = resolveToolPath(ctx, raw);
  if (ctx.hiddenPaths?.some((q) => isInside(q, p)))
    return {
      path: p,
      denied: {
        decision: 'deny',
        rule: 'builtin:harness-dir',
        reason: `${what} is in the harness directory or is the policy file: no tool reads or writes it`,
      },
    };
  if (!isInside(ctx.workspace, p))
    return {
      path: p,
      denied: {
        decision: 'deny',
        rule: 'builtin:outside-workspace',
        reason: `${what} resolves to ${p}, outside the workspace ${ctx.workspace}`,
      },
    };
  if ((o.protectedToo ?? true) && (ctx.protectedPaths.some((q) => isInside(q, p)) || isGitPath(ctx.workspace, p)))
    return {
      path: p,
      denied: {
        decision: 'deny',
        rule: 'builtin:protected-path',
        reason: `${what} is protected (the harness directory, the policy file or git's hooks and config)`,
      },
    };
  return { path: p };
}

/** A path a tool reads or writes: the guard, then the tool's rules (`tool`, `tool.op`, `match.path`), then reads allowed and writes asked. */
export function judgePath(
  policy: Policy,
  ctx: PolicyContext,
  tool: string,
  raw: string,
  op: string,
  writes: boolean,
): PolicyDecision {
  const { path: p, denied } = guardPath(ctx, raw, raw, { protectedToo: writes });
  if (denied) return denied;
  const rel = p === ctx.workspace ? '.' : p.slice(ctx.workspace.length + 1);
  const hit = userRules(
    policy,
    tool,
    op,
    (m) => !m.path || globMatches(m.path, rel, 'path') || globMatches(m.path, p, 'path'),
  );
  if (hit) return hit;
  return writes
    ? { decision: 'ask', rule: 'default:write-asks', reason: `writing ${rel} needs approval` }
    : { decision: 'allow', rule: 'default:read-in-workspace', reason: `reading ${rel} inside the workspace` };
}
