// How user rules combine: deny beats ask beats allow, and each decision names the rule that made it.
import type { Policy, PolicyAction, PolicyDecision, PolicyReason, PolicyRule } from './spec.js';

const ORDER: Record<PolicyAction, number> = { allow: 0, ask: 1, deny: 2 };

export function strictest(decisions: PolicyDecision[]): PolicyDecision {
  return decisions.reduce((a, b) => (ORDER[b.decision] > ORDER[a.decision] ? b : a));
}

/** The deciding reason first, then the others strictest first, each once. */
export function everyReason(decided: PolicyReason, all: PolicyReason[]): PolicyReason[] {
  const seen = new Set<string>();
  const out: PolicyReason[] = [];
  for (const r of [decided, ...[...all].sort((a, b) => ORDER[b.decision] - ORDER[a.decision])]) {
    const key = `${r.rule}\n${r.reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ decision: r.decision, rule: r.rule, reason: r.reason });
  }
  return out;
}

export function ruleName(policy: Policy, rule: PolicyRule): string {
  return rule.id ?? `rules[${policy.rules.indexOf(rule)}]`;
}

/** The user rules for this tool (by its name, `*`, or `<tool>.<op>`) that match, as decisions; undefined when none does. */
export function userRules(
  policy: Policy,
  tool: string,
  op: string | undefined,
  test: (m: NonNullable<PolicyRule['match']>) => boolean,
  actions: PolicyAction[] = ['allow', 'ask', 'deny'],
): PolicyDecision | undefined {
  const hits = policy.rules.filter(
    (r) =>
      actions.includes(r.action) &&
      (r.tool === tool || r.tool === '*' || (op && r.tool === `${tool}.${op}`)) &&
      (!r.match?.op || r.match.op === op) &&
      test(r.match ?? {}),
  );
  if (!hits.length) return undefined;
  return strictest(
    hits.map((r) => ({
      decision: r.action,
      rule: ruleName(policy, r),
      reason: r.description ?? `rule ${ruleName(policy, r)}`,
    })),
  );
}

/** A pattern without a wildcard names one text exactly. */
export function isExact(pattern: string): boolean {
  return !/[*?]/.test(pattern);
}
