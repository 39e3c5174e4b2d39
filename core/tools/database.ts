// The database tool: SQL on a connection the policy names, read by the connection's own parser; what
// was judged a read runs read-only at the engine, whatever the connection allows.
import { z } from 'zod';
import { defineTool } from './define.js';

export const database = defineTool({
  name: 'database',
  description: 'Run SQL on a connection named in the policy (read-only unless allowed).',
  args: z.strictObject({ connection: z.string().min(1), sql: z.string().min(1) }),
  facts: (args) => ({ kind: 'sql', connection: args.connection, sql: args.sql }),
  sandbox: 'none',
  shape: (args, _read, decision) => `database:${args.connection}:${decision.sqlKind ?? `exact:${args.sql}`}`,
  async execute(args, run) {
    const conn = run.policy.connections[args.connection]!;
    return {
      ok: true,
      output: await run.services.query(conn, args.sql, { readOnly: !conn.write || run.decision.sqlKind === 'read' }),
    };
  },
});
