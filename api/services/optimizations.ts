// Starting an optimizer run: BootstrapFewShot, MIPROv2 or GEPA on a component, from a dataset's splits
// (train teaches or is reflected on, dev scores candidates, test when present holds out the verdict).
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { splitsText, type Split } from '../../core/dataset-import.js';
import { SpecError } from '../../core/errors.js';
import { judgeProvider, metricKey, metricSpec } from '../../core/metrics.js';
import { parseVersionRef, VERSION_REF } from '../../core/run-story/ids.js';
import { NAME } from '../../core/specs.js';
import * as ds from '../../db/repositories/datasets.js';
import { components } from '../../db/repositories/versioned.js';
import type { SearchOptions } from '../../workflows/optimize-state.js';
import { optimizeWorkflow } from '../../workflows/optimize.js';
import type { AppContext } from '../context.js';
import { checkActive, startRun } from './start.js';
import { AppError } from '../errors.js';
import { newId } from '../../core/ids.js';
import { audit } from '../../db/repositories/audit.js';
import type { RunRow } from '../../db/models/run.js';
import { stopSearch } from '../../workflows/steering.js';

const ref = z.string().regex(VERSION_REF, 'use "name", "name@version" or "name@label"');

export const budgetBody = z.strictObject({
  /** Candidates scored at most (MIPROv2's trials, GEPA's proposals). */
  maxCandidates: z.int().min(1).max(10_000).optional(),
  maxCostUsd: z.number().positive().optional(),
  maxTokens: z.int().positive().optional(),
});

/** Which settings each optimizer reads: one given to an optimizer that would ignore it is refused by name. */
const SEARCH_ONLY = ['seed', 'candidates', 'trials', 'minibatch', 'fullEvalEvery', 'budget', 'proposer'] as const;
const MIPRO_ONLY = ['candidates', 'fullEvalEvery'] as const;

export const optimizeBody = z
  .strictObject({
    component: ref,
    dataset: z.string().min(1),
    metric: metricSpec,
    optimizer: z.enum(['bootstrap', 'mipro', 'gepa']).default('bootstrap'),
    k: z.int().min(1).max(32).default(4),
    threshold: z.number().min(0).max(1).default(1),
    cache: z.enum(['reuse', 'off']).optional(),
    /** MIPROv2 and GEPA: the same seed and data give the same search (0). */
    seed: z
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    /** MIPROv2: instructions and demo sets to choose among, the current ones included (4). */
    candidates: z.int().min(2).max(20).optional(),
    /** MIPROv2: trials; GEPA: iterations. */
    trials: z.int().min(1).max(1_000).optional(),
    minibatch: z.int().min(1).max(500).optional(),
    /** MIPROv2: the best so far is scored on all of dev every this many trials (5). */
    fullEvalEvery: z.int().min(1).max(100).optional(),
    budget: budgetBody.optional(),
    /** Who writes proposals and reflections: the component's provider and model unless named. */
    proposer: z.strictObject({ provider: NAME, model: z.string().min(1).optional() }).optional(),
  })
  .superRefine((b, ctx) => {
    const ignored = b.optimizer === 'bootstrap' ? SEARCH_ONLY : b.optimizer === 'gepa' ? MIPRO_ONLY : [];
    for (const key of ignored)
      if (b[key] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${b.optimizer} does not take ${key} (${key === 'candidates' || key === 'fullEvalEvery' ? 'MIPROv2 does' : 'MIPROv2 and GEPA do'})`,
        });
  });
type OptimizeBody = z.infer<typeof optimizeBody>;

/** MIPROv2's and GEPA's settings: DSPy's defaults scaled to the dataset (minibatch 35 / 3, a trial count per candidate). */
function searchOptions(
  req: OptimizeBody,
  spec: { provider: string; model?: string | undefined },
  held: string[],
): SearchOptions {
  const gepa = req.optimizer === 'gepa';
  return {
    seed: req.seed ?? 0,
    candidates: req.candidates ?? 4,
    trials: req.trials ?? (gepa ? 20 : Math.max(10, 2 * (req.candidates ?? 4))),
    minibatch: req.minibatch ?? (gepa ? 3 : 35),
    fullEvalEvery: req.fullEvalEvery ?? 5,
    budget: req.budget ?? {},
    proposer: req.proposer ?? { provider: spec.provider, ...(spec.model ? { model: spec.model } : {}) },
    held,
  };
}

export async function startOptimization(ctx: AppContext, body: unknown) {
  const req = optimizeBody.parse(body);
  const { name, version: v } = parseVersionRef(req.component)!;
  const version = await components.getVersion(ctx.store, name, v);
  const d = await ds.getDataset(ctx.store, req.dataset);
  const pick = async (s: Split) => (await ds.listExamples(ctx.store, d.id, s)).map((e) => e.id);
  const [train, dev] = [await pick('train'), await pick('dev')];
  if (!train.length || !dev.length)
    throw new SpecError('invalid optimization', [
      {
        path: 'dataset',
        message: `dataset '${d.name}' needs train and dev examples; it has ${splitsText(await ds.splitCounts(ctx.store, d.id))}`,
      },
    ]);
  const test = await pick('test');
  // A search chooses its best on dev; only examples it never saw can say whether that best is better.
  if (req.optimizer !== 'bootstrap' && !test.length)
    throw new SpecError('invalid optimization', [
      {
        path: 'dataset',
        message: `${req.optimizer} needs a test split in dataset '${d.name}' to hold out its verdict; it has ${splitsText(await ds.splitCounts(ctx.store, d.id))}`,
      },
    ]);
  const dataset = {
    name: d.name,
    updatedAt: d.updatedAt,
    examples: { train: train.length, dev: dev.length, test: test.length },
  };
  const search = req.optimizer === 'bootstrap' ? undefined : { ...searchOptions(req, version.spec, test), dataset };
  const target = { type: 'component' as const, id: version.id, name: version.name, version: version.version };
  return startRun(ctx, {
    kind: 'optimize',
    target,
    inputs: {
      dataset: d.name,
      metric: metricKey(req.metric),
      k: req.k,
      ...(search ? { optimizer: req.optimizer, seed: search.seed, budget: search.budget } : {}),
    },
    workflow: optimizeWorkflow,
    input: (runId) => ({
      runId,
      component: { id: version.id, name: version.name, version: version.version, spec: version.spec },
      train,
      dev,
      metric: req.metric,
      threshold: req.threshold,
      k: req.k,
      heartbeatTimeoutMs: ctx.heartbeatTimeoutMs,
      continueAfterEvents: ctx.continueAfterEvents,
      dataset,
      ...(req.cache ? { cache: req.cache } : {}),
      ...(search ? { optimizer: req.optimizer, search } : {}),
    }),
    providers: [
      version.spec.provider,
      ...(judgeProvider(req.metric) ?? []),
      ...(search ? [search.proposer.provider] : []),
    ],
  });
}

const stopBody = z.strictObject({ reason: z.string().max(2000).optional() });

/** Stop a MIPROv2 or GEPA search early: it ends after its current candidate, keeping the best so far. */
export async function stopOptimization(ctx: AppContext, run: RunRow, body: unknown) {
  const { reason } = stopBody.parse(body ?? {});
  if (run.kind === 'optimize' && !['mipro', 'gepa'].includes(String(run.inputs?.optimizer)))
    throw new AppError(409, 'not_a_search', `run '${run.id}' is a BootstrapFewShot run, which cannot be stopped early`);
  if (run.kind !== 'optimize')
    throw new AppError(
      409,
      'not_a_search',
      `run '${run.id}' is not an optimization (it is ${/^[aeiou]/.test(run.kind) ? 'an' : 'a'} ${run.kind} run)`,
    );
  checkActive(run, 'stop the search');
  try {
    await ctx.temporal.client.workflow
      .getHandle(run.workflowId)
      .executeUpdate(stopSearch, { args: [{ ...(reason ? { reason } : {}) }], updateId: `stop-${newId('u')}` });
  } catch (err) {
    // The workflow refused it: the search is over and taking its verdict.
    if (err instanceof WorkflowUpdateFailedError)
      throw new AppError(
        409,
        'search_over',
        `cannot stop run '${run.id}': ${(err.cause as Error | undefined)?.message ?? err.message}`,
      );
    if (err instanceof WorkflowNotFoundError)
      throw new AppError(409, 'run_ended', `cannot stop the search: run '${run.id}' has no running workflow`);
    throw err;
  }
  await audit(ctx.store, {
    actor: 'api',
    action: 'optimization.stop',
    subject: run.id,
    details: { reason: reason ?? null },
  });
  return { ok: true, runId: run.id };
}
