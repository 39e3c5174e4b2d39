// `harness run pipeline|component <file|name> --input k=v --follow`.
import fs from 'node:fs';
import readline from 'node:readline';
import type { Command } from 'commander';
import type { RunEvent } from '../../core/run-story/events.js';
import { eventLine } from '../../core/run-story/render.js';
import { parseSpecText } from '../../core/spec-text.js';
import { api, CliError, followRun } from '../client.js';

/** k=v; v is read as JSON when it parses (numbers, lists), else as a plain string. */
export function parseInputs(pairs: string[]): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--input takes key=value, got '${pair}'`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    inputs[pair.slice(0, eq)] = value;
  }
  return inputs;
}

/** A spec file (JSON or YAML) is created, or gets a new version when its name exists; a bare name is used as is. */
async function ensurePipeline(ref: string): Promise<string> {
  if (!fs.existsSync(ref)) return ref;
  let spec: { name?: string };
  try {
    spec = parseSpecText(fs.readFileSync(ref, 'utf8')) as { name?: string };
  } catch (err) {
    throw new CliError(`${ref}: ${(err as Error).message}`);
  }
  if (!spec.name) throw new CliError(`${ref} has no "name"`);
  const existing = await api('GET', `/api/pipelines/${encodeURIComponent(spec.name)}`).catch(() => undefined);
  if (!existing) await api('POST', '/api/pipelines', spec);
  else if (JSON.stringify(existing.latest.spec) !== JSON.stringify({ ...existing.latest.spec, ...spec }))
    await api('POST', `/api/pipelines/${spec.name}/versions`, spec);
  return spec.name;
}

async function runAndReport(
  kind: 'pipelines' | 'components',
  name: string,
  o: { input: string[]; follow: boolean; version?: string; label?: string },
): Promise<void> {
  const body = {
    inputs: parseInputs(o.input),
    ...(o.version ? { version: Number(o.version) } : {}),
    ...(o.label ? { label: o.label } : {}),
  };
  const run = await api('POST', `/api/${kind}/${encodeURIComponent(name)}/runs`, body);
  console.log(`run ${run.id} started (${run.temporal.uiUrl})`);
  if (o.follow) await followAndReport(run.id);
}

/** Print a run's events live, then its outputs; exit code 1 unless it completed. */
export async function followAndReport(runId: string): Promise<void> {
  await followRun(runId, (frame) => {
    if (frame.type === 'event') console.log(eventLine(frame.event));
  });
  await reportEnd(runId);
}

async function reportEnd(runId: string): Promise<void> {
  const done = await api('GET', `/api/runs/${runId}`);
  console.log(`\n${done.status}: ${JSON.stringify(done.outputs ?? done.error, null, 2)}`);
  if (done.status !== 'completed') process.exitCode = 1;
}

/** y: approve; a: approve the same kind of call for the rest of the run; anything else: deny. */
async function promptApproval(
  lines: AsyncIterator<string>,
  question: string,
): Promise<{ decision: 'approve' | 'deny'; remember?: 'run' }> {
  process.stdout.write(`${question} [y/N/a] `);
  const next = await lines.next();
  const answer = (next.done ? '' : next.value).trim().toLowerCase();
  if (!process.stdin.isTTY) process.stdout.write(`${answer}\n`);
  if (answer === 'a') return { decision: 'approve', remember: 'run' };
  return { decision: answer === 'y' || answer === 'yes' ? 'approve' : 'deny' };
}

async function runAgent(name: string, o: { input: string[]; version?: string }): Promise<void> {
  const body = { inputs: parseInputs(o.input), ...(o.version ? { version: Number(o.version) } : {}) };
  const run = await api('POST', `/api/components/${encodeURIComponent(name)}/runs`, body);
  if (run.kind !== 'agent') throw new CliError(`'${name}' is not an agent (a component of kind react)`);
  console.log(`agent run ${run.id} started (${run.temporal.uiUrl})`);
  await followAgent(run.id);
}

/**
 * Follow a run: each event to `onEvent`, and for each approval it waits for, `question` asked on standard input and
 * the answer sent (one prompt at a time, in the order the run asked). The agent's tool calls and an optimizer's
 * budget are answered this way.
 */
export async function followAsking(
  runId: string,
  onEvent: (event: RunEvent) => void,
  question: (asked: { tool: string; args: unknown }) => string,
): Promise<void> {
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  let queue = Promise.resolve();
  await followRun(runId, (frame) => {
    if (frame.type !== 'event') return;
    onEvent(frame.event);
    if (frame.event.type !== 'approval.requested') return;
    const { approvalId, tool, args } = frame.event.data;
    queue = queue.then(async () => {
      const answer = await promptApproval(lines, question({ tool, args }));
      await api('POST', `/api/runs/${runId}/approvals/${encodeURIComponent(approvalId)}`, answer).catch((err) =>
        console.error(`could not answer: ${(err as Error).message}`),
      );
    });
  });
  rl.close();
}

/** Follow an agent run, asking y/n on standard input for each approval it waits for. */
export async function followAgent(runId: string): Promise<void> {
  await followAsking(
    runId,
    (event) => console.log(eventLine(event)),
    ({ tool, args }) => `approve ${tool} ${JSON.stringify(args)}?`,
  );
  await reportEnd(runId);
}

export function runCommand(program: Command): void {
  const run = program.command('run').description('start a run');
  const common = (c: Command) =>
    c
      .option('-i, --input <key=value...>', 'an input (repeatable); values are JSON or plain strings', [])
      .option('-f, --follow', 'print events live, then the outputs', false)
      .option('-v, --version <n>', 'run this version instead of the latest')
      .option('-l, --label <name>', 'run the version this label names (production, staging…), recorded on the run');
  common(run.command('pipeline <fileOrName>').description('run a pipeline by name, or from a JSON spec file')).action(
    async (ref: string, o) => runAndReport('pipelines', await ensurePipeline(ref), o),
  );
  common(run.command('component <name>').description('try a component version')).action(async (name: string, o) =>
    runAndReport('components', name, o),
  );
  run
    .command('agent <name>')
    .description('run an agent, showing its loop live and asking y/n for each approval')
    .option('-i, --input <key=value...>', 'an input (repeatable)', [])
    .option('-v, --version <n>', 'run this version instead of the latest')
    .action((name: string, o) => runAgent(name, o));
}
