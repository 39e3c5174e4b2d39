// Two runs side by side: the step-by-step diff, and eval scores when both are evals or eval examples.
import type { RunDefinition } from '../../core/fork.js';
import { compareRuns, type RunSide } from '../../core/run-diff.js';
import { FOLDED_EVENT_TYPES } from '../../core/run-story/fold.js';
import { scoresOfChildRun } from '../../db/repositories/datasets.js';
import { getRunDefinition } from '../../db/repositories/run-definitions.js';
import * as runs from '../../db/repositories/runs.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { compareEvals } from './evals.js';

// What the fold reads, but the model requests: their prompts are large, and a diff shows no start times.
const STEP_EVENTS = FOLDED_EVENT_TYPES.filter((t) => t !== 'llm.request');

async function side(ctx: AppContext, id: string): Promise<RunSide> {
  const run = await runs.getRun(ctx.store, id);
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    inputs: run.inputs,
    outputs: run.outputs,
    usage: {
      inputTokens: Number(run.inputTokens),
      outputTokens: Number(run.outputTokens),
      costUsd: Number(run.costUsd),
    },
    definition: await getRunDefinition<RunDefinition>(ctx.store, id),
    events: await runs.eventsOfTypes(ctx.store, id, STEP_EVENTS),
  };
}

export async function compareRunsById(ctx: AppContext, query: { a?: unknown; b?: unknown }) {
  const [a, b] = [query.a, query.b];
  if (typeof a !== 'string' || typeof b !== 'string' || !a || !b)
    throw new AppError(400, 'invalid_request', 'compare needs two run ids: ?a=<run>&b=<run>');
  const [sa, sb] = await Promise.all([side(ctx, a), side(ctx, b)]);
  const diff = compareRuns(sa, sb);
  // The eval scores read a -> b, as the step diff does.
  if (sa.kind === 'eval' && sb.kind === 'eval') return { ...diff, evals: await compareEvals(ctx, [a, b], a) };
  const [ea, eb] = await Promise.all([scoresOfChildRun(ctx.store, a), scoresOfChildRun(ctx.store, b)]);
  return ea && eb ? { ...diff, scores: { a: ea, b: eb } } : diff;
}
