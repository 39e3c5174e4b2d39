// Experiments: one dataset × up to 8 variants (versions or labels of a component or pipeline, providers/models,
// params) × metrics × repeats, one durable run whose cells are evals; a grid of the cells against the first, a
// side-by-side of one example across them, and a resume that runs only what the cells did not finish.
import { z } from 'zod';
import { DEFAULT_SPLIT, SPLITS } from '../../core/dataset-import.js';
import { SpecError, type Problem } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { metricKey, metricSpec } from '../../core/metrics.js';
import type { PipelinePlan } from '../../core/pipeline-plan.js';
import { MAX_REPEATS, VERSION_REF } from '../../core/run-story/ids.js';
import { terminalStatuses } from '../../core/run-story/status.js';
import { componentSpec, NAME } from '../../core/specs.js';
import * as ds from '../../db/repositories/datasets.js';
import { NotFoundError } from '../../db/errors.js';
import type { RunRow } from '../../db/models/run.js';
import type { RunTarget } from '../../core/run-story/view.js';
import * as runs from '../../db/repositories/runs.js';
import { experimentWorkflow, type ExperimentCell } from '../../workflows/experiment.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import {
  compareEvals,
  datasetLaunch,
  evalProviders,
  evalRunInput,
  resumeLaunch,
  splitToEvaluate,
  targetPlan,
  type EvalInputs,
  type EvalLaunch,
} from './evals.js';
import { runView } from './run-view.js';
import { startRun } from './start.js';

/** Most variants side by side: as many as a screen's columns read. */
export const MAX_VARIANTS = 8;

const ref = z.string().regex(VERSION_REF, 'use "name", "name@version" or "name@label"');
const variantBody = z.strictObject({
  target: z.union([z.strictObject({ component: ref }), z.strictObject({ pipeline: ref })]),
  override: z.strictObject({ provider: NAME, model: z.string().optional() }).optional(),
  /** Every step's temperature or max tokens for this variant. */
  params: componentSpec.shape.params,
  /** The column's name; made from the target and overrides when absent. */
  label: z.string().min(1).max(80).optional(),
});
type Variant = z.infer<typeof variantBody>;

export const experimentBody = z.strictObject({
  dataset: z.string().min(1),
  split: z.enum(SPLITS).default(DEFAULT_SPLIT),
  variants: z
    .array(variantBody)
    .min(2, 'an experiment compares two or more variants')
    .max(MAX_VARIANTS, `at most ${MAX_VARIANTS} variants`),
  metrics: z.array(metricSpec).min(1, 'name at least one metric'),
  /** Examples at once, in each cell. */
  concurrency: z.int().min(1).max(32).default(4),
  cache: z.enum(['reuse', 'off']).optional(),
  repeats: z.int().min(1).max(MAX_REPEATS).default(1),
});

/** An experiment run's inputs as stored: what its view and its resume read. */
type ExperimentInputs = {
  dataset: string;
  split: string;
  metrics: string[];
  metricSpecs: z.infer<typeof metricSpec>[];
  variants: Variant[];
  concurrency: number;
  cache?: 'reuse' | 'off';
  repeats?: number;
  /** Each variant's eval, and the eval it resumes (a resumed experiment's cell). */
  cells: Array<{ label: string; evalRunId: string; resumes?: string }>;
  resumeOf?: string;
};

/** A cell to run: a launch (and the eval it resumes), or an eval kept as it is. */
type CellPlan = { label: string; evalRunId?: string; launch?: EvalLaunch; resumes?: string };

/** A variant's column name: its target, then what it overrides. */
function labelOf(v: Variant): string {
  const target = 'component' in v.target ? v.target.component : v.target.pipeline;
  const on = v.override ? ` on ${v.override.provider}${v.override.model ? `/${v.override.model}` : ''}` : '';
  const params = Object.entries(v.params ?? {}).map(([k, x]) => ` ${k}=${x}`);
  return `${target}${on}${params.join('')}`;
}

/** A plan with the variant's params on every step. */
const withParams = (plan: PipelinePlan, params: Variant['params']): PipelinePlan =>
  params
    ? {
        ...plan,
        steps: plan.steps.map((s) => ({
          ...s,
          component: {
            ...s.component,
            spec: { ...s.component.spec, params: { ...s.component.spec.params, ...params } },
          },
        })),
      }
    : plan;

/** Each variant planned (labels read now), or a 400 naming every variant that cannot be. */
async function planVariants(ctx: AppContext, variants: Variant[]) {
  const problems: Problem[] = [];
  const planned = [];
  for (const [i, v] of variants.entries()) {
    try {
      const { plan, head } = await targetPlan(ctx, v.target, v.override);
      planned.push({ head, plan: withParams(plan, v.params) });
    } catch (err) {
      if (!(err instanceof NotFoundError || err instanceof AppError || err instanceof SpecError)) throw err;
      problems.push({ path: `variants.${i}.target`, message: err.message });
    }
  }
  const labels = variants.map((v) => v.label ?? labelOf(v));
  labels.forEach((l, i) => {
    if (labels.indexOf(l) !== i)
      problems.push({ path: `variants.${i}.label`, message: `two variants are both '${l}': give each a label` });
  });
  if (problems.length) throw new SpecError('invalid experiment', problems);
  return planned.map((p, i) => ({ ...p, label: labels[i]! }));
}

/** Start the experiment workflow over its cells (each a launch to run, or a kept eval). */
async function launchExperiment(
  ctx: AppContext,
  head: RunTarget,
  inputs: Omit<ExperimentInputs, 'cells'>,
  cells: CellPlan[],
) {
  const ids = cells.map((c) => c.evalRunId ?? newId('run'));
  if (!cells.some((c) => c.launch)) throw new AppError(409, 'not_resumable', 'nothing to run: every cell is kept');
  return startRun(ctx, {
    kind: 'experiment',
    // The first variant's target: what the experiment is listed under.
    target: head,
    inputs: {
      ...inputs,
      cells: cells.map((c, i) => ({
        label: c.label,
        evalRunId: ids[i]!,
        ...(c.resumes ? { resumes: c.resumes } : {}),
      })),
    },
    workflow: experimentWorkflow,
    input: (runId) => ({
      runId,
      target: head,
      dataset: inputs.dataset,
      cells: cells.map((c, i): ExperimentCell =>
        c.launch
          ? {
              label: c.label,
              evalRunId: ids[i]!,
              eval: evalRunInput(ctx, ids[i]!, c.launch),
              inputs: { ...c.launch.inputs, label: c.label },
            }
          : { label: c.label, evalRunId: ids[i]! },
      ),
    }),
    providers: cells.flatMap((c) => (c.launch ? evalProviders(c.launch) : [])),
  });
}

export async function startExperiment(ctx: AppContext, body: unknown) {
  const req = experimentBody.parse(body);
  const { d, exampleCount } = await splitToEvaluate(ctx, req.dataset, req.split, 'experiment');
  const planned = await planVariants(ctx, req.variants);
  return launchExperiment(
    ctx,
    planned[0]!.head,
    {
      dataset: d.name,
      split: req.split,
      metrics: req.metrics.map(metricKey),
      metricSpecs: req.metrics,
      variants: req.variants,
      concurrency: req.concurrency,
      ...(req.cache ? { cache: req.cache } : {}),
      ...(req.repeats > 1 ? { repeats: req.repeats } : {}),
    },
    req.variants.map((v, i) => ({
      label: planned[i]!.label,
      launch: datasetLaunch(d, { ...req, override: v.override, label: planned[i]!.label }, planned[i]!, exampleCount),
    })),
  );
}

/** The eval run of a cell, or undefined before the experiment started it. */
const cellRun = (ctx: AppContext, id: string) => runs.getRun(ctx.store, id).catch(() => undefined);

/** Whether a cell's eval finished every example without an error: a resume keeps it as it is. */
const finished = (run: RunRow | undefined) =>
  run?.status === 'completed' && Number((run.outputs as { errors?: number } | null)?.errors ?? 0) === 0;

/**
 * What a cell of a resumed experiment does: keep its eval when it finished every example; resume the eval that
 * got furthest (its own, or, when it never reached its examples, the eval it was to resume, and so on back); or
 * start afresh when no eval of the variant ever reached its examples.
 */
async function resumeCell(
  ctx: AppContext,
  cell: ExperimentInputs['cells'][number],
  fresh: () => Promise<EvalLaunch>,
): Promise<CellPlan> {
  let id: string | undefined = cell.evalRunId;
  let before = cell.resumes;
  for (let depth = 0; id && depth < 100; depth++) {
    const run = await cellRun(ctx, id);
    if (run && finished(run)) return { label: cell.label, evalRunId: run.id };
    const repeats = Number((run?.inputs as EvalInputs | undefined)?.repeats ?? 1);
    const progress = run && (await ds.resumableExamples(ctx.store, run.id, repeats));
    if (run && progress && progress.fixed > 0) {
      if (!progress.left) return { label: cell.label, evalRunId: run.id };
      const { resumed: _from, ...launch } = await resumeLaunch(ctx, run);
      return {
        label: cell.label,
        launch: { ...launch, inputs: { ...launch.inputs, label: cell.label } },
        resumes: run.id,
      };
    }
    id = (run?.inputs as EvalInputs | undefined)?.resumeOf ?? before;
    before = undefined;
  }
  return { label: cell.label, launch: await fresh() };
}

/**
 * Resume an experiment that was cancelled or failed, or whose cells left examples errored: a new experiment of
 * the same variants whose finished cells are kept as they are, whose unfinished cells resume (only their missing
 * examples and repeats run), and whose cells that never started start now.
 */
export async function resumeExperiment(ctx: AppContext, source: RunRow) {
  if (source.kind !== 'experiment')
    throw new AppError(400, 'invalid_request', `run '${source.id}' is a ${source.kind} run, not an experiment`);
  if (!terminalStatuses.includes(source.status))
    throw new AppError(
      409,
      'not_resumable',
      `experiment '${source.id}' is still ${source.status}: wait for it to end or cancel it`,
    );
  const inputs = source.inputs as unknown as ExperimentInputs;
  const d = await ds.getDataset(ctx.store, inputs.dataset);
  // The settings it started with, checked as a new request would be.
  const req = experimentBody.parse({
    dataset: inputs.dataset,
    split: inputs.split,
    variants: inputs.variants,
    metrics: inputs.metricSpecs,
    concurrency: inputs.concurrency,
    ...(inputs.cache ? { cache: inputs.cache } : {}),
    repeats: inputs.repeats ?? 1,
  });
  const cells: CellPlan[] = [];
  for (const [i, c] of inputs.cells.entries())
    cells.push(
      await resumeCell(ctx, c, async () => {
        const v = req.variants[i]!;
        const [planned] = await planVariants(ctx, [{ ...v, label: c.label }]);
        const count = await ds.countExamples(ctx.store, d.id, req.split);
        return datasetLaunch(d, { ...req, override: v.override, label: c.label }, planned!, count);
      }),
    );
  const { cells: _cells, ...settings } = inputs;
  const run = await launchExperiment(ctx, source.target, { ...settings, resumeOf: source.id }, cells);
  return { ...run, resumed: { from: source.id, kept: cells.filter((c) => !c.launch).map((c) => c.label) } };
}

/**
 * The grid: each cell (its eval's status, outputs, usage, example wall times) and, once two cells have results,
 * every metric across them against the first (means, intervals, paired verdicts); and the examples to open.
 */
export async function experimentView(ctx: AppContext, experiment: RunRow) {
  const run = await runView(ctx, experiment.id);
  const inputs = run.inputs as unknown as ExperimentInputs;
  const cells = await Promise.all(
    inputs.cells.map(async (c) => {
      const row = await cellRun(ctx, c.evalRunId);
      if (!row) return { ...c, status: 'pending' as const, outputs: null, usage: null, latency: null };
      const view = await runView(ctx, row.id);
      return {
        ...c,
        status: view.status,
        outputs: view.outputs,
        usage: view.usage,
        latency: await ds.exampleLatency(ctx.store, row.id),
      };
    }),
  );
  const started = cells.filter((c) => c.status !== 'pending').map((c) => c.evalRunId);
  const grid = started.length >= 2 ? await compareEvals(ctx, started, started[0]) : null;
  const examples = started.length ? await ds.listEvalResults(ctx.store, started[0]!) : [];
  const byId = await ds.examplesById(ctx.store, [...new Set(examples.map((r) => r.exampleId))]);
  return {
    run,
    cells,
    grid: grid && {
      runs: grid.runs.map((r) => r.id),
      metrics: grid.metrics,
      aggregates: grid.aggregates,
      baseline: grid.baseline,
    },
    examples: [...byId.values()].map((e) => ({ id: e.id, inputs: e.inputs, expected: e.expected })),
  };
}

/** One example across the cells, side by side: each cell's results (every repeat) for it. */
export async function experimentExample(ctx: AppContext, experiment: RunRow, exampleId: string) {
  const inputs = experiment.inputs as unknown as ExperimentInputs;
  const example = (await ds.examplesById(ctx.store, [exampleId])).get(exampleId);
  if (!example) throw new AppError(404, 'not_found', `no example '${exampleId}'`);
  const cells = await Promise.all(
    inputs.cells.map(async (c) => ({
      ...c,
      results: (await ds.listEvalResults(ctx.store, c.evalRunId))
        .filter((r) => r.exampleId === exampleId)
        .map((r) => ({
          repeat: r.repeat ?? 0,
          outputs: r.outputs,
          scores: r.scores,
          error: r.error,
          childRunId: r.childRunId,
        })),
    })),
  );
  return { example: { id: example.id, inputs: example.inputs, expected: example.expected }, cells };
}
