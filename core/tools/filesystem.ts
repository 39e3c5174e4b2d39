// The filesystem tool: read, write, edit (search/replace), list, glob or grep inside the workspace;
// each path judged by the workspace guard and `filesystem` rules, each file checked again once opened.
import { z } from 'zod';
import { resolveToolPath } from '../policy/paths.js';
import { defineTool } from './define.js';

export const filesystem = defineTool({
  name: 'filesystem',
  description: 'Read, write, edit (search/replace), list, glob or grep files inside the workspace.',
  args: z.strictObject({
    op: z.enum(['read', 'write', 'edit', 'list', 'glob', 'grep']),
    path: z.string().min(1),
    content: z.string().optional(),
    search: z.string().optional(),
    replace: z.string().optional(),
    pattern: z.string().optional(),
  }),
  facts: (args) => ({ kind: 'path', path: args.path, op: args.op, writes: args.op === 'write' || args.op === 'edit' }),
  sandbox: 'none',
  shape: (args) => `filesystem:${args.op}:${args.path.split('/').slice(0, -1).join('/')}`,
  async execute(args, run) {
    return { ok: true, output: run.services.files(resolveToolPath(run.context, args.path), args) };
  },
});
