// SQL on a named connection: unknown connections and statements that reach past the connection's
// database are denied, writes on a read-only connection too; reads are allowed and writes ask.
import { userRules } from './rules.js';
import type { Policy, PolicyDecision, SqlFacts, SqlKind } from './spec.js';

/** `tool` names the rules that apply (`<tool>`, `<tool>.<kind>`). */
export function judgeDatabase(
  policy: Policy,
  tool: string,
  connection: string,
  sql: SqlFacts | undefined,
): PolicyDecision {
  const conn = policy.connections[connection];
  if (!conn)
    return {
      decision: 'deny',
      rule: 'builtin:unknown-connection',
      reason: `connection '${connection}' is not named in the policy`,
    };
  if (!sql)
    return { decision: 'deny', rule: 'builtin:not-judged', reason: 'the statement was not read by a SQL parser' };
  if (sql.unparsed)
    return {
      decision: 'ask',
      rule: 'builtin:sql-unparsed',
      reason: `the ${sql.dialect} parser does not accept it: ${sql.unparsed}`,
    };
  const order: Record<SqlKind, number> = { read: 0, write: 1, ddl: 2 };
  const worst = sql.statements.reduce((a, b) => (order[b.kind] > order[a.kind] ? b : a));
  const kind = worst.kind;
  const why = worst.why ? ` (${worst.why})` : '';
  if (kind !== 'read' && !conn.write)
    return {
      decision: 'deny',
      rule: 'builtin:read-only-connection',
      reason: `connection '${connection}' is read-only; this is a ${kind} statement${why}`,
      sqlKind: kind,
    };
  // A connection is one database: no rule lets a statement open another file, run a program or load code.
  const outside = sql.statements.find((st) => st.outside);
  if (outside)
    return {
      decision: 'deny',
      rule: 'builtin:outside-connection',
      reason: `${outside.outside}; a connection reaches only the database the policy declares`,
      sqlKind: kind,
    };
  const hit = userRules(
    policy,
    tool,
    kind,
    (m) => (!m.sql || m.sql === kind) && (!m.connection || m.connection === connection),
  );
  const decision =
    hit ??
    (kind === 'read'
      ? { decision: 'allow' as const, rule: 'default:read-allowed', reason: 'a read on a named connection' }
      : { decision: 'ask' as const, rule: 'default:write-asks', reason: `a ${kind} statement${why} needs approval` });
  return { ...decision, sqlKind: kind };
}
