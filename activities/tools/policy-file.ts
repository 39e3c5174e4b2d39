// The tool policy on disk (TOOLS_POLICY_PATH or .vloop/policy.json); written atomically.
import fs from 'node:fs';
import path from 'node:path';
import { policySpec, type Policy, type PolicyContext } from '../../core/policy.js';
import { projectDir } from '../../temporal/config.js';

export const policyPath = (): string => path.resolve(process.env.TOOLS_POLICY_PATH || path.join(projectDir(), 'policy.json'));
export const workspaceRoot = (): string => fs.realpathSync(path.resolve(process.env.HARNESS_WORKSPACE || process.cwd()));

/** A missing file means the safe defaults (no rules); a malformed one is an error, never "allow". */
export function readPolicy(): Policy {
  const file = policyPath();
  if (!fs.existsSync(file)) return policySpec.parse({});
  return policySpec.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

export function writePolicy(body: unknown): Policy {
  const policy = policySpec.parse(body);
  const file = policyPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(policy, null, 2), { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
  return policy;
}

/** What the policy judges paths against: the workspace, home, and what agents may never write. */
export function policyContext(): Omit<PolicyContext, 'realpath'> {
  const real = (p: string) => (fs.existsSync(p) ? fs.realpathSync(p) : path.resolve(p));
  return { workspace: workspaceRoot(), home: process.env.HOME ?? '/root', protectedPaths: [real(projectDir()), real(policyPath())] };
}
