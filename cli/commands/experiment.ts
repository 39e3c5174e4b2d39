// `harness experiment`: a dataset × variants × metrics × repeats as one run, followed to its end and printed as
// a grid; `harness experiment resume <run>` runs only what its cells did not finish.
import fs from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_SPLIT } from '../../core/dataset-import.js';
import { api, CliError, followRun } from '../client.js';
import { readInputFile } from '../input-file.js';
import { followWithProgress, parseMetric } from './evals.js';

interface Grid {
  run: { id: string; status: string };
  cells: Array<{
    label: string;
    evalRunId: string;
    status: string;
    outputs: { errors?: number; results?: number; examples?: number } | null;
    usage: { inputTokens: number; outputTokens: number; costUsd: number } | null;
    latency: { p50Ms: number | null; p95Ms: number | null } | null;
  }>;
  grid: {
    runs: string[];
    metrics: string[];
    aggregates: Record<
      string,
      {
        means: Array<number | null>;
        intervals: Array<[number, number] | null>;
        verdicts: Array<string | null>;
        tests: Array<{ pValue: number } | null>;
      }
    >;
  } | null;
}

/** `qa@2` or `qa@2 on openai/gpt-4o-mini`: a target, and the provider (and model) to run it on. */
export function parseVariant(text: string, kind: 'component' | 'pipeline') {
  const m = /^\s*(\S+)(?:\s+on\s+([^/\s]+)(?:\/(\S+))?)?\s*$/.exec(text);
  if (!m) throw new CliError(`--variant takes 'name[@version|@label][ on provider[/model]]', got '${text}'`);
  return {
    target: { [kind]: m[1]! },
    ...(m[2] ? { override: { provider: m[2], ...(m[3] ? { model: m[3] } : {}) } } : {}),
  };
}

/** The grid as text: a column per variant, a row per metric (mean, interval, verdict against the first), then usage. */
export function gridText(g: Grid): string {
  const cols = g.cells.map((c) => c.label);
  const rows: string[][] = [['', ...cols]];
  for (const k of g.grid?.metrics ?? []) {
    const a = g.grid!.aggregates[k]!;
    rows.push([
      k,
      ...g.cells.map((c) => {
        const i = g.grid!.runs.indexOf(c.evalRunId);
        if (i < 0 || a.means[i] === null) return '–';
        const ci = a.intervals[i] ? ` [${a.intervals[i]![0].toFixed(2)}, ${a.intervals[i]![1].toFixed(2)}]` : '';
        const verdict =
          i === 0 ? ' baseline' : a.verdicts[i] ? ` ${a.verdicts[i]} p=${a.tests[i]?.pValue.toFixed(3)}` : '';
        return `${a.means[i]!.toFixed(3)}${ci}${verdict}`;
      }),
    ]);
  }
  rows.push(['errors', ...g.cells.map((c) => (c.outputs ? `${c.outputs.errors ?? 0}` : '–'))]);
  rows.push(['tokens', ...g.cells.map((c) => (c.usage ? `${c.usage.inputTokens + c.usage.outputTokens}` : '–'))]);
  rows.push(['cost', ...g.cells.map((c) => (c.usage ? `$${c.usage.costUsd.toFixed(4)}` : '–'))]);
  rows.push([
    'p50/p95',
    ...g.cells.map((c) =>
      c.latency?.p50Ms == null ? '–' : `${Math.round(c.latency.p50Ms)}/${Math.round(c.latency.p95Ms ?? 0)} ms`,
    ),
  ]);
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows
    .map((r) =>
      r
        .map((x, j) => x.padEnd(widths[j]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Wait for the experiment to end, print its grid, and exit 1 unless it completed. */
async function followExperiment(id: string): Promise<void> {
  await followRun(id, () => undefined);
  const g = (await api('GET', `/api/experiments/${id}`)) as Grid;
  console.log(gridText(g));
  console.log(`${g.run.status}: /ui/experiments/${id}`);
  if (g.run.status !== 'completed') process.exitCode = 1;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function experimentCommand(program: Command): void {
  const cmd = program
    .command('experiment')
    .description('evaluate up to 8 variants on one dataset as one run, and print the grid (`experiment resume`)')
    .enablePositionalOptions()
    .option('-d, --dataset <name>', 'dataset (required)')
    .option('--variant <ref>', 'a variant: name[@version|@label][ on provider[/model]] (2 to 8)', collect, [])
    .option('--pipeline', 'the variants name pipelines (components otherwise)')
    .option('-s, --split <split>', 'split', DEFAULT_SPLIT)
    .option('-m, --metric <metric...>', 'metrics as name[:field] (repeatable)', ['exact_match'])
    .option('--repeats <n>', 'run each example n times in every variant', '1')
    .option('--concurrency <n>', 'examples at once in each variant', '4')
    .action(
      async (o: {
        dataset?: string;
        variant: string[];
        pipeline?: boolean;
        split: string;
        metric: string[];
        repeats: string;
        concurrency: string;
      }) => {
        if (!o.dataset) throw new CliError("required option '-d, --dataset <name>' not specified");
        const kind = o.pipeline ? 'pipeline' : 'component';
        const run = await api('POST', '/api/experiments', {
          dataset: o.dataset,
          split: o.split,
          variants: o.variant.map((v) => parseVariant(v, kind)),
          metrics: o.metric.map(parseMetric),
          repeats: Number(o.repeats),
          concurrency: Number(o.concurrency),
        });
        console.log(`experiment ${run.id} started: ${o.variant.length} variants on ${o.dataset}/${o.split}`);
        await followExperiment(run.id);
      },
    );
  promptfooCommands(cmd);
  cmd
    .command('resume <run>')
    .description('resume an experiment: finished cells are kept, unfinished ones run only what they missed')
    .action(async (id: string) => {
      const run = await api('POST', `/api/experiments/${encodeURIComponent(id)}/resume`, {});
      const kept = run.resumed.kept as string[];
      console.log(`experiment ${run.id} resumes ${id}${kept.length ? `, keeping ${kept.join(', ')}` : ''}`);
      await followExperiment(run.id);
    });
}

/** `experiment promptfoo <config>` imports and runs a promptfoo config; `experiment export-promptfoo <run>` writes one. */
function promptfooCommands(cmd: Command): void {
  cmd
    .command('promptfoo <config>')
    .description(
      'import a promptfoo config (prompts, providers, tests) and run it: an experiment of prompts × providers',
    )
    .requiredOption('--name <name>', 'names the dataset; the prompts become components <name>-p1, <name>-p2, …')
    .option('--provider <id=name>', "run promptfoo's provider id on this harness provider (repeatable)", collect, [])
    .option('--concurrency <n>', 'examples at once in each variant', '4')
    .option('--no-start', 'import only: make the dataset and components, run nothing')
    .action(async (file: string, o: { name: string; provider: string[]; concurrency: string; start: boolean }) => {
      const config = readInputFile(file);
      const providers = Object.fromEntries(
        o.provider.map((p) => {
          const at = p.indexOf('=');
          if (at < 1) throw new CliError(`--provider takes <promptfoo id>=<provider name>, got '${p}'`);
          return [p.slice(0, at), p.slice(at + 1)];
        }),
      );
      const r = await api('POST', '/api/experiments/promptfoo', {
        config,
        name: o.name,
        providers,
        concurrency: Number(o.concurrency),
        start: o.start,
      });
      console.log(`imported ${r.tests} tests into dataset ${r.dataset}; prompts: ${r.components.join(', ')}`);
      if (!r.run) return;
      if (r.run.kind === 'experiment') {
        console.log(`experiment ${r.run.id} started`);
        await followExperiment(r.run.id);
      } else {
        console.log(`eval ${r.run.id} started`);
        await followWithProgress(r.run.id, 'example:', r.tests);
      }
    });
  cmd
    .command('export-promptfoo <run>')
    .description('write an experiment or eval of text-template components as a promptfoo config')
    .option('-o, --out <file>', 'write to this file (stdout otherwise)')
    .action(async (id: string, o: { out?: string }) => {
      const yaml = (await api('GET', `/api/runs/${encodeURIComponent(id)}/promptfoo`)) as string;
      if (o.out) fs.writeFileSync(o.out, yaml);
      else process.stdout.write(yaml);
    });
}
