// The tool policy on disk (TOOLS_POLICY_PATH or .vloop/policy.json); written atomically.
import fs from 'node:fs';
import path from 'node:path';
import type { ToolsConfig } from '../config/index.js';
import { policySpec, type Policy, type PolicyContext } from '../core/policy.js';

/** A missing file means the safe defaults (no rules); a malformed one is an error, never "allow". */
export function readPolicy(file: string): Policy {
  if (!fs.existsSync(file)) return policySpec.parse({});
  return policySpec.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

export function writePolicy(file: string, body: unknown): Policy {
  const policy = policySpec.parse(body);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(policy, null, 2), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
  return policy;
}

/**
 * What the policy judges paths against: the workspace, home, what no tool may read or write (the
 * harness directory and the policy file: token, keys, store, logs, rules) and what agents may never
 * write: those and .git (hooks and config are code that the user's own git commands run).
 */
export function policyContext(
  tools: Pick<ToolsConfig, 'workspace' | 'home' | 'projectDir' | 'policyPath'> &
    Partial<Pick<ToolsConfig, 'harnessEndpoints'>>,
): Omit<PolicyContext, 'realpath'> {
  // Both spellings: the real path catches a symlink to it, the lexical one a path judged before it exists.
  const both = (p: string) => [...new Set([path.resolve(p), realResolve(path.resolve(p))])];
  const workspace = fs.realpathSync(tools.workspace);
  const hiddenPaths = [...both(tools.projectDir), ...both(tools.policyPath)];
  const reservedPorts = [...new Set((tools.harnessEndpoints ?? []).map((e) => e.port))];
  return {
    workspace,
    home: tools.home,
    hiddenPaths,
    protectedPaths: [...hiddenPaths, ...both(path.join(workspace, '.git'))],
    reservedPorts,
  };
}

/** Resolve symlinks of the deepest existing ancestor, then append the rest (for paths not yet created). */
export function realResolve(p: string): string {
  let existing = p;
  const rest: string[] = [];
  while (!fs.existsSync(existing)) {
    rest.unshift(path.basename(existing));
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  return path.join(fs.realpathSync(existing), ...rest);
}
