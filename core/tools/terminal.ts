// The terminal: a shell command in the workspace, read by the shell parser and judged word by word,
// run under the OS sandbox with the network only when the policy (or a person) granted it.
import { z } from 'zod';
import { defineTool, type CommandOutcome } from './define.js';

/** Rules whose decision holds only for this exact command: a "for this run" approval covers only it. */
const EXACT_ONLY = [
  'builtin:code-carrying',
  'builtin:unknown-word',
  'builtin:network-host-unknown',
  'setting:network-ask',
  'builtin:no-sandbox',
];

function outputOf(r: CommandOutcome): string {
  const note = r.unsandboxed === undefined ? '' : `\n[no OS sandbox: ${r.unsandboxed}]`;
  const refused = r.refused.length ? `\n[network refused: ${r.refused.join('; ')}]` : '';
  return `${r.output.replace(/\n$/, '')}${r.timedOut ? '\n[timed out; the process group was killed]' : ''}\n[exit code ${r.exitCode ?? 'none'}]${refused}${note}`;
}

export const terminal = defineTool({
  name: 'terminal',
  description: 'Run a shell command in the workspace (the policy may ask a person first).',
  args: z.strictObject({ command: z.string().min(1) }),
  facts: (args) => ({ kind: 'command', command: args.command }),
  sandbox: 'os',
  shape(args, read, decision) {
    if (EXACT_ONLY.includes(decision.rule) || decision.network) return `terminal:exact:${args.command}`;
    return `terminal:${(read.shell?.commands ?? []).map((c) => c.words[0]?.value ?? '?').join('|')}`;
  },
  async execute(args, run) {
    // Network only when the policy allowed this command's reach, or a person approved it.
    const network = run.decision.network === 'allow' || (run.decision.network === 'ask' && run.approved);
    const r = await run.services.command(args.command, { network, approved: run.approved });
    return { ok: r.exitCode === 0 && !r.timedOut, output: outputOf(r) };
  },
});
