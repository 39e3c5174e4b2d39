// `harness fork <run> --from <step> [--set step.component=name@v] [--follow]` and `harness diff <a> <b>`.
import type { Command } from 'commander';
import { stepHow } from '../../core/run-story/render.js';
import { api, CliError } from '../client.js';
import { followAgent, followAndReport, parseInputs } from './run.js';

type Overrides = {
  inputs?: Record<string, unknown>;
  steps?: Record<string, Record<string, unknown>>;
  agent?: Record<string, unknown>;
};

/** Put `value` at a dotted path inside `target` (params.temperature -> {params: {temperature}}). */
function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let at = target;
  for (const key of path.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
  at[path[path.length - 1]!] = value;
}

/**
 * `--set` pairs as fork overrides: `inputs.text=hi`, `agent.model=m`, `<step>.component=name@2`,
 * `<step>.params.temperature=0`, `<step>.outputs.result=...` (a counterfactual).
 */
export function parseOverrides(pairs: string[]): Overrides {
  const overrides: Overrides = {};
  for (const [key, value] of Object.entries(parseInputs(pairs))) {
    const path = key.split('.');
    if (path.length < 2 || path.some((p) => !p))
      throw new CliError(`--set takes <step>.<field>=value, inputs.<name>=value or agent.<field>=value, got '${key}'`);
    const [head, ...rest] = path as [string, ...string[]];
    if (head === 'inputs') setPath((overrides.inputs ??= {}), rest, value);
    else if (head === 'agent') setPath((overrides.agent ??= {}), rest, value);
    else setPath(((overrides.steps ??= {})[head] ??= {}), rest, value);
  }
  return overrides;
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** The diff as the terminal shows it: one block per step, the first divergence marked. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's comparison, read field by field
export function formatDiff(d: any): string {
  const lines = [`a ${d.a.id} (${d.a.kind}, ${d.a.status})`, `b ${d.b.id} (${d.b.kind}, ${d.b.status})`];
  for (const c of [
    ...d.inputs.map((x: object) => ({ ...x, where: 'inputs' })),
    ...d.config.map((x: object) => ({ ...x, where: 'config' })),
  ])
    lines.push(`  ${c.where}.${c.path}: ${show(c.a)} -> ${show(c.b)}`);
  for (const s of d.steps) {
    const mark = s.key === d.firstDivergence ? '>' : s.same ? '=' : '~';
    lines.push(
      `${mark} ${s.key.padEnd(16)} ${stepHow(s.a)} -> ${stepHow(s.b)}  tokens ${s.delta.tokens >= 0 ? '+' : ''}${s.delta.tokens}  $${s.delta.costUsd.toFixed(6)}`,
    );
    for (const c of s.config) lines.push(`    config ${c.path}: ${show(c.a)} -> ${show(c.b)}`);
    for (const c of s.outputs) lines.push(`    ${c.path || 'outputs'}: ${show(c.a)} -> ${show(c.b)}`);
  }
  lines.push(`first divergence: ${d.firstDivergence ?? 'none'}`);
  return lines.join('\n');
}

export function forkCommands(program: Command): void {
  program
    .command('fork <run>')
    .description('fork a run from a step: earlier steps reuse their outputs, the rest run with your changes')
    .requiredOption('--from <step>', 'the step id (a foreach item as step[i]; an agent turn as turn[N])')
    .option(
      '-s, --set <path=value...>',
      'an override: <step>.component=name@v, <step>.model=m, <step>.outputs.x=v, inputs.x=v, agent.model=m',
      [],
    )
    .option('--cache <mode>', 'reuse: take any call whose key matches an earlier one from the step cache')
    .option('-f, --follow', 'print events live (and ask for approvals), then the outputs', false)
    .action(async (runId: string, o: { from: string; set: string[]; cache?: string; follow: boolean }) => {
      const body = { fromStep: o.from, overrides: parseOverrides(o.set), ...(o.cache ? { cache: o.cache } : {}) };
      const run = await api('POST', `/api/runs/${encodeURIComponent(runId)}/fork`, body);
      console.log(`fork ${run.id} of ${runId} from ${o.from} started (${run.temporal.uiUrl})`);
      if (o.follow) await (run.kind === 'agent' ? followAgent(run.id) : followAndReport(run.id));
    });
  program
    .command('diff <a> <b>')
    .description('compare two runs step by step: configuration, outputs, tokens, the first divergence')
    .option('--json', 'print the comparison as JSON', false)
    .action(async (a: string, b: string, o: { json: boolean }) => {
      const d = await api('GET', `/api/runs/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
      console.log(o.json ? JSON.stringify(d, null, 2) : formatDiff(d));
    });
}
