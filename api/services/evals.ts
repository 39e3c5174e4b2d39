// Datasets, eval runs, comparisons and BootstrapFewShot optimizations.
import { z } from 'zod';
import { parseCsv } from './dataset-csv.js';
import {
  DEFAULT_SPLIT,
  parseJsonl,
  SPLITS,
  splitsText,
  type EvalExampleSource,
  type Split,
} from '../../core/dataset-import.js';
import {
  DEFAULT_FIELDS,
  OUTSIDE_FORMATS,
  parseLangfuse,
  parseOpenAiEvals,
  toLangfuse,
  toOpenAiEvals,
} from '../../core/dataset-formats.js';
import { parseEvalsApi, toEvalsApi } from '../../core/openai-evals-api.js';
import { SpecError } from '../../core/errors.js';
import {
  BASELINE_LABEL,
  changeKind,
  columnNames,
  defaultBaseline,
  directionOf,
  verdictOf,
  type ComparedEval,
} from '../../core/eval-compare.js';
import {
  exampleMeans,
  judgeProvider,
  metricKey,
  metricSpec,
  type Aggregate,
  type MetricSpec,
} from '../../core/metrics.js';
import { pairedComparison } from '../../core/paired-comparison.js';
import { componentPlan, planPipeline, type PipelinePlan, type ResolvedComponent } from '../../core/pipeline-plan.js';
import { MAX_REPEATS, parseVersionRef, VERSION_REF, versionRef } from '../../core/run-story/ids.js';
import { terminalStatuses } from '../../core/run-story/status.js';
import { NAME, type PipelineSpec } from '../../core/specs.js';
import { labelKinds } from '../../core/versions.js';
import * as ds from '../../db/repositories/datasets.js';
import { labelVersion } from '../../db/repositories/labels.js';
import { audit } from '../../db/repositories/audit.js';
import { components, pipelines } from '../../db/repositories/versioned.js';
import { evalWorkflow, type EvalRunInput } from '../../workflows/eval.js';
import type { AppContext } from '../context.js';
import type { RunRow } from '../../db/models/run.js';
import { AppError } from '../errors.js';
import { addRunsToDataset } from './dataset-runs.js';
import { getRunDefinition } from '../../db/repositories/run-definitions.js';
import { planFork, type ForkRequest, type RecordedStep, type RunDefinition } from '../../core/fork.js';
import { followLabel } from './labels.js';
import { loadDataset, type Dataset } from './datasets.js';
import { runView } from './run-view.js';
import { planProviders, startRun } from './start.js';
import { resolveComponents } from './specs.js';

const split = z.enum(SPLITS);
// A label evaluates the version it names when the eval starts (a CI gate against `production`).
const ref = z.string().regex(VERSION_REF, 'use "name", "name@version" or "name@label"');
const exampleBody = z.strictObject({
  inputs: z.record(z.string(), z.unknown()),
  expected: z.record(z.string(), z.unknown()),
  split: split.default(DEFAULT_SPLIT),
});

export const datasetBody = z.strictObject({ name: NAME, description: z.string().optional() });
const fieldMap = z.strictObject({ input: z.string().min(1).optional(), expected: z.string().min(1).optional() });
export const importBody = z.strictObject({
  format: z.enum(['jsonl', 'csv', ...OUTSIDE_FORMATS, 'openai-evals-api']),
  content: z.string(),
  /** For the OpenAI Evals API: the eval (item_schema, testing_criteria) whose items `content` holds. */
  definition: z.record(z.string(), z.unknown()).optional(),
  split: split.default(DEFAULT_SPLIT),
  /** For OpenAI Evals and Langfuse: the example fields their one input and answer become. */
  fields: fieldMap.optional(),
});
export const evalBody = z.strictObject({
  dataset: z.string().min(1),
  split: split.default(DEFAULT_SPLIT),
  target: z.union([z.strictObject({ component: ref }), z.strictObject({ pipeline: ref })]),
  override: z.strictObject({ provider: NAME, model: z.string().optional() }).optional(),
  metrics: z.array(metricSpec).min(1, 'name at least one metric'),
  concurrency: z.int().min(1).max(32).default(4),
  /** reuse: each example's calls take a completed call's outputs when its key matches (the step cache). */
  cache: z.enum(['reuse', 'off']).optional(),
  /** Run each example this many times: each run is a result of its own, never collapsed. */
  repeats: z.int().min(1).max(MAX_REPEATS).default(1),
});

export async function datasetView(ctx: AppContext, d: Dataset) {
  const examples = await ds.listExamples(ctx.store, d.id);
  const splits = { train: 0, dev: 0, test: 0 } as Record<Split, number>;
  for (const e of examples) splits[e.split]++;
  return { ...d, splits, examples };
}

export async function importExamples(ctx: AppContext, d: Dataset, body: unknown) {
  const req = importBody.parse(body);
  // Parsing refuses the whole file on any bad line, before anything is written.
  const examples = parseImport(req);
  const added = await ds.addExamples(ctx.store, d.id, examples);
  await audit(ctx.store, {
    actor: 'api',
    action: 'dataset.import',
    subject: d.id,
    details: { added, format: req.format },
  });
  // Read again: adding examples moved its updatedAt.
  return { added, ...(await datasetView(ctx, await loadDataset(ctx, d.id))) };
}

export async function addExamples(ctx: AppContext, d: Dataset, body: unknown) {
  const examples = z.strictObject({ examples: z.array(exampleBody).min(1) }).parse(body).examples;
  return { added: await ds.addExamples(ctx.store, d.id, examples) };
}

export async function updateExample(ctx: AppContext, d: Dataset, exampleId: string, body: unknown) {
  const patch = z
    .strictObject({
      split: split.optional(),
      inputs: z.record(z.string(), z.unknown()).optional(),
      expected: z.record(z.string(), z.unknown()).optional(),
    })
    .parse(body);
  await ds.updateExample(ctx.store, d.id, exampleId, patch);
  return datasetView(ctx, d);
}

/** The examples in an imported file, whichever format it is in; a bad file is refused whole. */
function parseImport(req: z.infer<typeof importBody>) {
  if (req.format === 'jsonl') return parseJsonl(req.content, req.split);
  if (req.format === 'csv') return parseCsv(req.content, req.split);
  if (req.format === 'openai-evals-api') return parseEvalsApi(req.definition, req.content, req.split);
  const fields = { ...DEFAULT_FIELDS[req.format], ...req.fields };
  return req.format === 'openai-evals'
    ? parseOpenAiEvals(req.content, req.split, fields)
    : parseLangfuse(req.content, req.split, fields);
}

export const exportQuery = z.strictObject({
  format: z.enum(['jsonl', ...OUTSIDE_FORMATS, 'openai-evals-api']).default('jsonl'),
  /** OpenAI Evals: the input and expected fields to export, when an example has more than one. */
  input: z.string().min(1).optional(),
  expected: z.string().min(1).optional(),
});

/** The dataset as a file: ours (`{inputs, expected, split}` per line), OpenAI Evals JSONL or Langfuse items. */
export async function exportDataset(ctx: AppContext, d: Dataset, query: unknown = {}): Promise<string> {
  const q = exportQuery.parse(query);
  const examples = await ds.listExamples(ctx.store, d.id);
  if (q.format === 'openai-evals')
    return toOpenAiEvals(examples, {
      ...(q.input ? { input: q.input } : {}),
      ...(q.expected ? { expected: q.expected } : {}),
    });
  if (q.format === 'langfuse') return toLangfuse(examples);
  if (q.format === 'openai-evals-api') return toEvalsApi(d.name, examples);
  return (
    examples.map((e) => JSON.stringify({ inputs: e.inputs, expected: e.expected, split: e.split })).join('\n') + '\n'
  );
}

/** "Add this run to a dataset": its inputs, and its outputs as the expected answer unless given. */
export async function addRunToDataset(ctx: AppContext, run: { id: string }, body: unknown) {
  const req = z
    .strictObject({
      dataset: z.string().min(1),
      split: split.default(DEFAULT_SPLIT),
      expected: z.record(z.string(), z.unknown()).optional(),
    })
    .parse(body);
  const d = await loadDataset(ctx, req.dataset);
  const { skipped } = await addRunsToDataset(ctx, d, {
    runs: [{ id: run.id, ...(req.expected ? { expected: req.expected } : {}) }],
    split: req.split,
  });
  if (skipped.length)
    throw new AppError(409, 'not_completed', `run '${run.id}' cannot be kept as an example: ${skipped[0]!.reason}`);
  return datasetView(ctx, await loadDataset(ctx, d.id));
}

export async function targetPlan(
  ctx: AppContext,
  target: z.infer<typeof evalBody>['target'],
  override?: z.infer<typeof evalBody>['override'],
) {
  const kind = 'component' in target ? 'component' : 'pipeline';
  const {
    name,
    version: numbered,
    label,
  } = parseVersionRef('component' in target ? target.component : target.pipeline)!;
  const v = label ? await followLabel(ctx, kind, name, label) : numbered;
  let plan: PipelinePlan;
  let head: { type: 'component' | 'pipeline'; id: string; name: string; version: number };
  if ('component' in target) {
    const version = await components.getVersion(ctx.store, name, v);
    plan = componentPlan(version.name, version.version, version.spec);
    head = { type: 'component', id: version.id, name: version.name, version: version.version };
  } else {
    const version = await pipelines.getVersion(ctx.store, name, v);
    const resolved = await resolveComponents(ctx, version.spec as PipelineSpec, version.pins);
    plan = planPipeline(version.spec as PipelineSpec, (r) => resolved.get(r));
    head = { type: 'pipeline', id: version.id, name: version.name, version: version.version };
  }
  // A provider/model override evaluates the same prompts on another model.
  if (override)
    plan = {
      ...plan,
      steps: plan.steps.map((s) => ({
        ...s,
        component: {
          ...s.component,
          spec: {
            ...s.component.spec,
            provider: override.provider,
            ...(override.model ? { model: override.model } : {}),
          },
        },
      })),
    };
  return { plan, head };
}

export async function startEval(ctx: AppContext, body: unknown) {
  const req = evalBody.parse(body);
  const { d, exampleCount } = await splitToEvaluate(ctx, req.dataset, req.split, 'eval');
  return launchEval(ctx, datasetLaunch(d, req, await targetPlan(ctx, req.target, req.override), exampleCount));
}

/** The dataset and how many examples its split holds; a 400 naming the splits it has when that one is empty. */
export async function splitToEvaluate(ctx: AppContext, dataset: string, split: Split, what: string) {
  const d = await ds.getDataset(ctx.store, dataset);
  const exampleCount = await ds.countExamples(ctx.store, d.id, split);
  if (!exampleCount)
    throw new SpecError(`invalid ${what}`, [
      {
        path: 'split',
        message: `dataset '${d.name}' has no ${split} examples; it has ${splitsText(await ds.splitCounts(ctx.store, d.id))}`,
      },
    ]);
  return { d, exampleCount };
}

/** A fresh eval of a dataset split: its inputs as the run shows them (what a resume needs to run the rest alike). */
export function datasetLaunch(
  d: { id: string; name: string },
  s: Pick<z.infer<typeof evalBody>, 'split' | 'metrics' | 'concurrency' | 'override' | 'cache' | 'repeats'> & {
    label?: string;
  },
  planned: Pick<EvalLaunch, 'head' | 'plan'>,
  exampleCount: number,
): EvalLaunch {
  return {
    ...planned,
    inputs: {
      dataset: d.name,
      split: s.split,
      metrics: s.metrics.map(metricKey),
      metricSpecs: s.metrics,
      concurrency: s.concurrency,
      ...(s.label ? { label: s.label } : {}),
      ...(s.override ? { override: s.override } : {}),
      ...(s.cache ? { cache: s.cache } : {}),
      ...(s.repeats > 1 ? { repeats: s.repeats } : {}),
    },
    examples: { dataset: { id: d.id, split: s.split } },
    exampleCount,
  };
}

/** An eval run's inputs as stored (a type, not an interface: the run's inputs are a plain record). */
export type EvalInputs = {
  dataset: string;
  split: string;
  metrics: string[];
  metricSpecs?: MetricSpec[];
  concurrency?: number;
  override?: { provider: string; model?: string };
  cache?: 'reuse' | 'off';
  repeats?: number;
  /** An experiment's cell: the variant it evaluates. */
  label?: string;
  resumeOf?: string;
  /** A fork of a whole eval: the source eval, the step it was forked from, and the request (a resume forks alike). */
  forkOf?: string;
  fromStep?: string;
  forkRequest?: ForkRequest;
};

/** What an eval run starts with: its target and plan, its inputs as the run shows them, where its examples come from. */
export interface EvalLaunch {
  head: Awaited<ReturnType<typeof targetPlan>>['head'];
  plan: PipelinePlan;
  inputs: EvalInputs & { metricSpecs: MetricSpec[] };
  examples: EvalExampleSource;
  exampleCount: number;
  fork?: { request: ForkRequest };
}

/** The fork a launch carries: its source eval and request (a fork, or a resume of one). */
const launchFork = (e: EvalLaunch) =>
  e.fork && e.inputs.forkOf ? { sourceRunId: e.inputs.forkOf, request: e.fork.request } : undefined;

/** The eval workflow's input for run `runId`: an eval started here, or an experiment's cell. */
export function evalRunInput(ctx: AppContext, runId: string, e: EvalLaunch): EvalRunInput {
  const { head, plan, inputs } = e;
  const fork = launchFork(e);
  return {
    runId,
    target: head,
    plan,
    // The workflow fixes its examples in the store when it starts and carries only a cursor.
    examples: e.examples,
    exampleCount: e.exampleCount,
    metrics: inputs.metricSpecs,
    concurrency: inputs.concurrency ?? 4,
    heartbeatTimeoutMs: ctx.heartbeatTimeoutMs,
    continueAfterEvents: ctx.continueAfterEvents,
    ...(inputs.cache ? { cache: inputs.cache } : {}),
    ...(fork ? { fork } : {}),
    ...(inputs.repeats && inputs.repeats > 1 ? { repeats: inputs.repeats } : {}),
    ...('resumeOf' in e.examples ? { resumeOf: e.examples.resumeOf } : {}),
  };
}

/** The providers an eval calls: its plan's steps' and its judges'. */
export const evalProviders = (e: Pick<EvalLaunch, 'plan' | 'inputs'>): string[] => [
  ...planProviders(e.plan),
  ...e.inputs.metricSpecs.flatMap((m) => judgeProvider(m) ?? []),
];

/** Start an eval run: its inputs as the run shows them, its plan kept for a resume, and the workflow's input. */
function launchEval(ctx: AppContext, e: EvalLaunch) {
  const fork = launchFork(e);
  return startRun(ctx, {
    kind: 'eval',
    target: e.head,
    inputs: e.inputs,
    definition: { kind: 'plan', plan: e.plan },
    ...(fork ? { forkOf: { runId: fork.sourceRunId, step: fork.request.fromStep } } : {}),
    workflow: evalWorkflow,
    input: (runId) => evalRunInput(ctx, runId, e),
    providers: evalProviders(e),
  });
}

/**
 * What a resume of this ended eval starts: the same version, plan, examples and metrics, running only the examples
 * (or repeats) without a finished result and keeping the rest. 409 when there is nothing to resume, or the eval
 * started before evals kept what a resume needs.
 */
export async function resumeLaunch(
  ctx: AppContext,
  source: RunRow,
): Promise<EvalLaunch & { resumed: { from: string; examples: number; kept: number } }> {
  const inputs = source.inputs as unknown as EvalInputs;
  const { fixed, left, kept } = await ds.resumableExamples(ctx.store, source.id, inputs.repeats ?? 1);
  if (!inputs.metricSpecs || !fixed)
    throw new AppError(
      409,
      'not_resumable',
      `eval '${source.id}' started before evals kept what a resume needs (its examples and metric settings); start a new eval`,
    );
  if (!left)
    throw new AppError(
      409,
      'not_resumable',
      `nothing to resume: every example of eval '${source.id}' finished without an error or left its dataset`,
    );
  const ref = versionRef(source.target.name, source.target.version);
  const planned = await targetPlan(
    ctx,
    source.target.type === 'pipeline' ? { pipeline: ref } : { component: ref },
    inputs.override,
  );
  // The plan the source ran (its steps' versions as read then), not one resolved again from labels moved since.
  const recorded = await getRunDefinition<RunDefinition>(ctx.store, source.id);
  const plan = recorded?.kind === 'plan' ? recorded.plan : planned.plan;
  return {
    head: planned.head,
    plan,
    inputs: { ...inputs, metricSpecs: inputs.metricSpecs, resumeOf: source.id },
    examples: { resumeOf: source.id, ...(inputs.repeats ? { repeats: inputs.repeats } : {}) },
    exampleCount: left,
    // A resumed fork is a fork of the same source: its remaining examples reuse what that source recorded.
    ...(inputs.forkOf && inputs.forkRequest ? { fork: { request: inputs.forkRequest } } : {}),
    resumed: { from: source.id, examples: left, kept },
  };
}

/**
 * Resume an eval that was cancelled, failed or left examples errored (a provider outage): a new eval of the same
 * version, examples and metrics that runs only the examples without a finished result and starts with the
 * source's finished results, so no finished example is called again.
 */
export async function resumeEval(ctx: AppContext, source: RunRow) {
  if (source.kind !== 'eval')
    throw new AppError(400, 'invalid_request', `run '${source.id}' is a ${source.kind} run, not an eval`);
  if (!terminalStatuses.includes(source.status))
    throw new AppError(
      409,
      'not_resumable',
      `eval '${source.id}' is still ${source.status}: wait for it to end or cancel it`,
    );
  const { resumed, ...launch } = await resumeLaunch(ctx, source);
  return { ...(await launchEval(ctx, launch)), resumed };
}

/** The plan an eval ran and its metric settings: what a fork runs again; 409 for evals from before they kept both. */
async function forkableEval(ctx: AppContext, source: RunRow) {
  const inputs = source.inputs as unknown as EvalInputs;
  const recorded = await getRunDefinition<RunDefinition>(ctx.store, source.id);
  if (!inputs.metricSpecs || recorded?.kind !== 'plan')
    throw new AppError(
      409,
      'not_forkable',
      `eval '${source.id}' started before evals kept what a fork needs (its plan and metric settings); start a new eval`,
    );
  return { inputs: { ...inputs, metricSpecs: inputs.metricSpecs }, plan: recorded.plan };
}

/** What an eval fork cannot change: each example brings its own inputs, and the change is a whole step's. */
function checkEvalFork(req: ForkRequest): void {
  const problems = [
    ...(req.overrides.inputs
      ? [{ path: 'overrides.inputs', message: "an eval's examples bring their own inputs: change a step instead" }]
      : []),
    ...(req.overrides.agent ? [{ path: 'overrides.agent', message: 'an eval forks at a step of its plan' }] : []),
    ...(/\[/.test(req.fromStep)
      ? [
          {
            path: 'fromStep',
            message: `'${req.fromStep}' is one item: an eval fork changes a whole step for every example`,
          },
        ]
      : []),
  ];
  if (problems.length) throw new SpecError('invalid fork', problems);
}

/** What the fork evaluates: the source's target, or for a component eval whose one step takes another version, that version. */
async function forkedHead(ctx: AppContext, source: RunRow, plan: PipelinePlan) {
  const head = source.target as Awaited<ReturnType<typeof targetPlan>>['head'];
  const only = plan.steps.length === 1 ? plan.steps[0]! : undefined;
  const picked = only && parseVersionRef(only.component.ref);
  if (head.type !== 'component' || !picked || (picked.name === head.name && only.component.version === head.version))
    return head;
  const v = await components.getVersion(ctx.store, picked.name, only.component.version);
  return { type: 'component' as const, id: v.id, name: v.name, version: v.version };
}

/** Which steps each example of the fork reuses, runs, and answers with a counterfactual. */
function forkSteps(forked: ReturnType<typeof planFork>) {
  const given = Object.keys(forked.reuse).filter(
    (id) => (forked.reuse[id] as { counterfactual?: boolean }).counterfactual === true,
  );
  const reused = Object.keys(forked.reuse).filter((id) => !forked.runs.includes(id) && !given.includes(id));
  return { reused, run: forked.runs, ...(given.length ? { counterfactual: given } : {}) };
}

/**
 * Fork a whole eval from a step: a new eval of the same examples and metrics where the step's change (a component
 * version, provider, model, params or a counterfactual) applies to every example, and each example takes the steps
 * the change does not reach from the source eval's run of it, so only what the change touches is called.
 */
export async function forkEval(
  ctx: AppContext,
  source: RunRow,
  req: ForkRequest,
  resolve: (ref: string) => Promise<ResolvedComponent | undefined>,
) {
  const { inputs, plan } = await forkableEval(ctx, source);
  checkEvalFork(req);
  const resolved = new Map<string, ResolvedComponent>();
  for (const o of Object.values(req.overrides.steps ?? {})) {
    const c = o.component && (await resolve(o.component));
    if (c) resolved.set(c.ref, c);
  }
  // Planned as if the source recorded every step: which steps each example reuses and which it runs.
  const everyStep = new Map<string, RecordedStep>(
    plan.steps.map((s) => [s.id, { outputs: s.foreach === undefined ? {} : [] }]),
  );
  const forked = planFork({ runId: source.id, plan, inputs: {}, records: everyStep }, req, (r) => resolved.get(r));
  const examples = await ds.forkableExamples(ctx.store, source.id);
  if (!examples)
    throw new AppError(409, 'not_forkable', `eval '${source.id}' has no example left in its dataset to run again`);
  const { resumeOf: _resumed, ...kept } = inputs;
  const run = await launchEval(ctx, {
    head: await forkedHead(ctx, source, forked.plan),
    plan: forked.plan,
    inputs: {
      ...kept,
      forkOf: source.id,
      fromStep: req.fromStep,
      forkRequest: req,
      ...(req.cache ? { cache: req.cache } : {}),
    },
    examples: { forkOf: source.id },
    exampleCount: examples,
    fork: { request: req },
  });
  return { ...run, forked: { from: source.id, fromStep: req.fromStep, examples, steps: forkSteps(forked) } };
}

/** An eval run and each example's result, with the example's inputs and expected values (null once the example is deleted). */
export async function evalView(ctx: AppContext, evalRun: { id: string }) {
  const id = evalRun.id;
  const [run, results] = await Promise.all([runView(ctx, id), ds.listEvalResults(ctx.store, id)]);
  const examples = await ds.examplesById(
    ctx.store,
    results.map((r) => r.exampleId),
  );
  return {
    run,
    results: results.map((r) => ({
      ...r,
      inputs: examples.get(r.exampleId)?.inputs ?? null,
      expected: examples.get(r.exampleId)?.expected ?? null,
    })),
  };
}

/**
 * Evals against a baseline, on every metric: each run's mean and interval, its delta from the baseline's, and
 * a paired test on the examples both scored (p-value, effect size, the delta's interval) whose finding is
 * better, worse or no detectable difference for that metric; and every example whose score moved on any metric in any run,
 * with its inputs, expected values, each run's outputs and scores, judged metric by metric. The baseline
 * is the oldest eval unless one is named; the others follow oldest first; `columns` names each run by
 * its target's version. Regressions first (the largest drop first), then mixed rows, then improvements.
 */
export async function compareEvals(ctx: AppContext, ids: string[], baselineId?: string) {
  if (ids.length < 2) throw new AppError(400, 'invalid_request', 'compare needs two or more eval run ids (?runs=a,b)');
  if (baselineId && !ids.includes(baselineId))
    throw new AppError(
      400,
      'invalid_request',
      `the baseline '${baselineId}' is not one of the compared runs (${ids.join(', ')})`,
    );
  const picked = await Promise.all([...new Set(ids)].map((id) => evalView(ctx, { id })));
  const other = picked.find((e) => e.run.kind !== 'eval');
  if (other)
    throw new AppError(
      400,
      'invalid_request',
      `run '${other.run.id}' is a ${other.run.kind} run, not an eval: compare evals`,
    );
  const labelled = await productionVersions(
    ctx,
    picked.map((e) => e.run),
  );
  const chosen = baselineId
    ? { id: baselineId, by: 'named' as const }
    : defaultBaseline(
        picked.map((e) => e.run),
        labelled,
      );
  const baseline = chosen.id;
  // The baseline first: every delta is "this run minus the baseline", whatever order the runs were picked in.
  const byAge = [...picked].sort(
    (a, b) => a.run.createdAt.localeCompare(b.run.createdAt) || a.run.id.localeCompare(b.run.id),
  );
  const evals = [byAge.find((e) => e.run.id === baseline)!, ...byAge.filter((e) => e.run.id !== baseline)];
  const metrics = [...new Set(evals.flatMap((e) => Object.keys(aggregatesOf(e))))];
  const aggregates = Object.fromEntries(
    metrics.map((k) => {
      const means = evals.map((e) => aggregatesOf(e)[k]?.mean ?? null);
      const intervals = evals.map((e) => aggregatesOf(e)[k]?.ci95 ?? null);
      // Each run against the baseline on the examples both scored: a mean that moved is a finding only past chance.
      // A run that never scored the metric (an older eval with other metrics) has nothing to pair.
      const scored = (e: EvalView) => k in aggregatesOf(e);
      const tests = evals.map((e, i) =>
        i === 0 || !scored(e) || !scored(evals[0]!)
          ? null
          : pairedComparison(scorePairs(evals[0]!, e, k), directionOf(k)),
      );
      return [k, { means, intervals, deltas: against(means), verdicts: tests.map((t) => t?.finding ?? null), tests }];
    }),
  );
  const { changes, unchanged } = exampleChanges(evals, metrics);
  return {
    baseline,
    baselineBy: chosen.by,
    runs: evals.map((e) => e.run),
    columns: columnNames(
      evals.map((e) => e.run),
      labelled,
    ),
    metrics,
    aggregates,
    changes,
    unchanged,
  };
}

type EvalView = Awaited<ReturnType<typeof evalView>>;

function aggregatesOf(e: EvalView) {
  return (
    (e.run.outputs as { aggregates?: Record<string, Partial<Aggregate> & { mean: number }> } | null)?.aggregates ?? {}
  );
}

/**
 * [baseline, candidate] scores of metric `k` on each example both runs have a result for (an unscored result counts
 * 0, as in the mean); an example that ran several times pairs as its repeats' mean.
 */
function scorePairs(baseline: EvalView, candidate: EvalView, k: string): Array<[number, number]> {
  const before = exampleMeans(baseline.results, k);
  return [...exampleMeans(candidate.results, k)].flatMap(([id, after]) =>
    before.has(id) ? [[before.get(id)!.mean, after.mean]] : [],
  );
}

/** Each example's result as one row: its repeats' mean scores, the first repeat's outputs. */
function byExample(e: EvalView) {
  const rows = new Map<string, EvalView['results'][number]>();
  for (const r of e.results) if (!rows.has(r.exampleId)) rows.set(r.exampleId, r);
  const keys = [...new Set(e.results.flatMap((r) => Object.keys(r.scores)))];
  const means = new Map(keys.map((k) => [k, exampleMeans(e.results, k)]));
  for (const [id, r] of rows)
    rows.set(id, { ...r, scores: Object.fromEntries(keys.map((k) => [k, means.get(k)!.get(id)!.mean])) });
  return rows;
}

/** Each value minus the first (the baseline's); null where either is missing. */
function against(values: Array<number | null>) {
  return values.map((v) => (v === null || values[0] === null ? null : v - values[0]!));
}

/** The verdict on each delta of metric `k`; the baseline's own column has none. */
function judged(k: string, deltas: Array<number | null>) {
  return deltas.map((d, i) => (i === 0 ? null : verdictOf(d, directionOf(k))));
}

/** The examples whose score moved on some metric, regressions first and worst first; and how many did not. */
function exampleChanges(evals: EvalView[], metrics: string[]) {
  const results = evals.map(byExample);
  const exampleIds = [...new Set(evals.flatMap((e) => e.results.map((r) => r.exampleId)))].sort();
  const changes = exampleIds.flatMap((exampleId) => {
    const rows = results.map((m) => m.get(exampleId));
    const scores = Object.fromEntries(metrics.map((k) => [k, rows.map((r) => (r ? (r.scores[k] ?? 0) : null))]));
    const deltas = Object.fromEntries(metrics.map((k) => [k, against(scores[k]!)]));
    const verdicts = Object.fromEntries(metrics.map((k) => [k, judged(k, deltas[k]!)]));
    const moved = metrics.filter((k) => verdicts[k]!.some((v) => v === 'better' || v === 'worse'));
    if (!moved.length) return [];
    const worst = Math.min(
      ...moved.flatMap((k) => deltas[k]!.map((d) => (d === null ? 0 : directionOf(k) === 'higher' ? d : -d))),
    );
    const example = rows.find((r) => r !== undefined);
    return [
      {
        exampleId,
        kind: changeKind(moved.flatMap((k) => verdicts[k]!)),
        metrics: moved,
        worstDelta: worst,
        inputs: example?.inputs ?? null,
        expected: example?.expected ?? null,
        outputs: rows.map((r) => r?.outputs ?? null),
        scores,
        deltas,
        verdicts,
      },
    ];
  });
  const rank = { regression: 0, mixed: 1, improvement: 2 };
  changes.sort((x, y) => rank[x.kind] - rank[y.kind] || x.worstDelta - y.worstDelta);
  return { changes, unchanged: exampleIds.length - changes.length };
}

/** Which evals ran the version their target's production label names now. */
async function productionVersions(ctx: AppContext, runs: ComparedEval[]): Promise<(e: ComparedEval) => boolean> {
  const current = new Map<string, number | undefined>();
  for (const r of runs) {
    const kind = labelKinds.find((k) => k === r.target.type);
    if (!kind || !r.target.id || current.has(r.target.id)) continue;
    current.set(r.target.id, await labelVersion(ctx.store, kind, r.target.id, BASELINE_LABEL));
  }
  return (e) => e.target.id !== undefined && current.get(e.target.id) === e.target.version;
}
