// The browser tool: a page per run; opening a URL is judged by host and port, and so is every
// request the page makes afterwards (a click's navigation too), as an `open` of its URL.
import { z } from 'zod';
import { defineTool } from './define.js';

export const browser = defineTool({
  name: 'browser',
  description: 'Open a web page, click, type, extract text or take a screenshot.',
  args: z.strictObject({
    op: z.enum(['open', 'click', 'type', 'extract', 'screenshot']),
    url: z.string().optional(),
    selector: z.string().optional(),
    text: z.string().optional(),
  }),
  facts: (args) => ({ kind: 'page', op: args.op, url: args.url }),
  sandbox: 'none',
  shape: (args) => `browser:${args.op}:${args.url ? new URL(args.url).hostname : ''}`,
  async execute(args, run) {
    // A person's approval of this call covers its own host; every other one is judged as an `open`.
    const approvedHost = run.approved && args.url ? new URL(args.url).host : undefined;
    const allowHost = (url: string) =>
      new URL(url).host === approvedHost ||
      run.judge({ tool: 'browser', args: { op: 'open', url } }).decision === 'allow';
    return { ok: true, output: await run.services.browse(args, allowHost) };
  },
});
