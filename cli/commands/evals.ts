// `harness dataset import` and `harness eval` (with a progress bar); their metric option and progress line.
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_SPLIT } from '../../core/dataset-import.js';
import { metricFromText } from '../../core/metrics.js';
import { api, CliError, followRun } from '../client.js';
import { readInputFile, readJsonInput } from '../input-file.js';
import { evalGateCommand } from './eval-gate.js';

/** `name[:field]`, or a whole metric spec as JSON (`{"name":"exact_match","args":{"caseSensitive":true}}`). */
export function parseMetric(text: string): Record<string, unknown> {
  if (text.trim().startsWith('{')) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new CliError(`--metric is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!text.trim() || text.startsWith(':'))
    throw new CliError(`--metric takes name[:field] or a JSON metric, got '${text}'`);
  return metricFromText(text);
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total ? Math.min(width, Math.round((done / total) * width)) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}

/** Follow a run, drawing progress from its per-item step.completed events, then print the outputs. */
export async function followWithProgress(
  runId: string,
  prefix: string,
  total: number,
): Promise<{ status: string; outputs: Record<string, unknown> | null }> {
  let done = 0;
  await followRun(runId, (frame) => {
    if (frame.type !== 'event' || frame.event.type !== 'step.completed') return;
    if (!String((frame.event.data as { stepId: string }).stepId).startsWith(prefix)) return;
    done++;
    if (process.stdout.isTTY) process.stdout.write(`\r${bar(done, total)}`);
    else console.log(bar(done, total));
  });
  if (process.stdout.isTTY) process.stdout.write('\n');
  const run = await api('GET', `/api/runs/${runId}`);
  console.log(`${run.status}: ${JSON.stringify(run.outputs ?? run.error, null, 2)}`);
  if (run.status !== 'completed') process.exitCode = 1;
  return run;
}

export function evalCommands(program: Command): void {
  datasetImportCommand(program);
  evalCommand(program);
}

function datasetImportCommand(program: Command): void {
  program
    .command('dataset-import <dataset> <file>')
    .description('import examples from a .jsonl or .csv file (all or nothing); creates the dataset if needed')
    .option('-s, --split <split>', 'split for rows that name none', DEFAULT_SPLIT)
    .option(
      '--format <format>',
      'jsonl, csv, openai-evals, openai-evals-api or langfuse (by the extension when absent)',
    )
    .option(
      '--definition <file>',
      "openai-evals-api: the eval's JSON (item_schema, testing_criteria); the file holds its items",
    )
    .option('--input-field <name>', 'openai-evals/langfuse: the example field their input becomes')
    .option('--expected-field <name>', 'openai-evals/langfuse: the example field their answer becomes')
    .action(
      async (
        dataset: string,
        file: string,
        o: { split: string; format?: string; inputField?: string; expectedField?: string; definition?: string },
      ) => {
        const content = readInputFile(file);
        const definition = o.definition ? readJsonInput(o.definition, "the eval's definition") : undefined;
        const format = o.format ?? (path.extname(file) === '.csv' ? 'csv' : 'jsonl');
        const fields = {
          ...(o.inputField ? { input: o.inputField } : {}),
          ...(o.expectedField ? { expected: o.expectedField } : {}),
        };
        const existing = await api('GET', `/api/datasets/${encodeURIComponent(dataset)}`).catch(() => undefined);
        if (!existing) await api('POST', '/api/datasets', { name: dataset });
        const r = await api('POST', `/api/datasets/${encodeURIComponent(dataset)}/import`, {
          format,
          content,
          split: o.split,
          ...(Object.keys(fields).length ? { fields } : {}),
          ...(definition ? { definition } : {}),
        });
        console.log(
          `imported ${r.added} examples into ${dataset} (train ${r.splits.train}, dev ${r.splits.dev}, test ${r.splits.test})`,
        );
      },
    );
}

function evalCommand(program: Command): void {
  const evalCmd = program
    .command('eval')
    .description('evaluate a component or pipeline version on a dataset split (`eval gate` to gate CI on one)')
    // Its options only before a subcommand: `eval gate` has its own --dataset and --metric.
    .enablePositionalOptions()
    // Checked in the action, not by commander: commander would ask `eval gate` for it too.
    .option('-d, --dataset <name>', 'dataset (required)')
    .option('-c, --component <name[@v]>', 'component to evaluate')
    .option('-p, --pipeline <name[@v]>', 'pipeline to evaluate')
    .option('-s, --split <split>', 'split', DEFAULT_SPLIT)
    .option('-m, --metric <metric...>', 'metrics as name[:field] (repeatable)', ['exact_match'])
    .option('--provider <name>', 'evaluate on another provider')
    .option('--model <model>', 'and model')
    .option('--concurrency <n>', 'examples at once', '4')
    .option('--repeats <n>', 'run each example n times, each a result of its own', '1')
    .action(
      async (o: {
        dataset: string;
        component?: string;
        pipeline?: string;
        split: string;
        metric: string[];
        provider?: string;
        model?: string;
        concurrency: string;
        repeats: string;
      }) => {
        if (!o.dataset) throw new CliError("required option '-d, --dataset <name>' not specified");
        if (!o.component === !o.pipeline) throw new CliError('name one target: --component or --pipeline');
        const run = await api('POST', '/api/evals', {
          dataset: o.dataset,
          split: o.split,
          target: o.component ? { component: o.component } : { pipeline: o.pipeline },
          metrics: o.metric.map(parseMetric),
          concurrency: Number(o.concurrency),
          repeats: Number(o.repeats),
          ...(o.provider ? { override: { provider: o.provider, ...(o.model ? { model: o.model } : {}) } } : {}),
        });
        const total = (await api('GET', `/api/datasets/${encodeURIComponent(o.dataset)}`)).splits[o.split];
        console.log(`eval ${run.id} started`);
        await followWithProgress(run.id, 'example:', total * Number(o.repeats));
      },
    );
  evalCmd
    .command('resume <run>')
    .description('resume an eval that was cancelled, failed or left examples errored: only those examples run again')
    .action(async (id: string) => {
      const run = await api('POST', `/api/evals/${encodeURIComponent(id)}/resume`, {});
      console.log(
        `eval ${run.id} resumes ${id}: ${run.resumed.examples} examples to run, ${run.resumed.kept} kept from it`,
      );
      await followWithProgress(run.id, 'example:', run.resumed.examples);
    });
  evalGateCommand(evalCmd);
}
