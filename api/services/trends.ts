// Trends where the object lives: a component's or pipeline's score per version across its evals, cost and latency
// per version and runs per day (the last 30 days), and an eval against the previous eval of its dataset and target.
import { evalScores, runsPerDay, scoreDeltas, trendSince, versionFigures } from '../../core/trends.js';
import type { RunRow } from '../../db/models/run.js';
import {
  completedEvalBefore,
  evalsOfTarget,
  trendRuns,
  type EvalRow,
  type TrendKind,
} from '../../db/repositories/trends.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { headView, type Head } from './versioned.js';

/** The runs a version's figures count: its own runs and its evals' examples, not the evals or optimizations. */
const RUN_KINDS: Record<TrendKind, string[]> = { component: ['component', 'agent'], pipeline: ['pipeline'] };

const evalPoint = (e: EvalRow) => ({
  runId: e.id,
  dataset: e.inputs.dataset ?? '',
  split: e.inputs.split ?? '',
  createdAt: e.createdAt,
  scores: evalScores(e.outputs),
});

/**
 * Every version of the object, oldest first, with its runs' figures in the window and its completed evals' scores.
 * @example await targetTrends(ctx, 'component', head) // { versions: [{ version: 1, runs: 9, evals: [...] }], runsPerDay }
 */
export async function targetTrends(ctx: AppContext, kind: TrendKind, head: Head, now = new Date()) {
  const target = { type: kind, name: head.name };
  const [object, runs, evals] = await Promise.all([
    headView(ctx, kind, head),
    trendRuns(ctx.store, target, RUN_KINDS[kind], trendSince(now)),
    evalsOfTarget(ctx.store, target),
  ]);
  const scored = evals.filter((e) => e.status === 'completed').reverse();
  const versions = versionFigures(
    object.versions.map((v) => v.version),
    runs,
  ).map((figures) => ({
    ...figures,
    evals: scored.filter((e) => e.version === figures.version).map(evalPoint),
  }));
  return { versions, runsPerDay: runsPerDay(runs, now) };
}

/** The latest completed eval of the same target and dataset (and split) before this one; null when there is none. */
export async function previousEval(ctx: AppContext, run: RunRow) {
  if (run.kind !== 'eval') throw new AppError(404, 'not_found', `run '${run.id}' is not an eval`);
  const { type, name } = run.target;
  const inputs = run.inputs as EvalRow['inputs'];
  if ((type !== 'component' && type !== 'pipeline') || !inputs.dataset) return { previous: null, deltas: {} };
  const before = await completedEvalBefore(
    ctx.store,
    { type, name },
    { id: run.id, createdAt: run.createdAt, dataset: inputs.dataset, split: inputs.split ?? '' },
  );
  if (!before) return { previous: null, deltas: {} };
  const scores = evalScores(before.outputs);
  const previous = { runId: before.id, version: before.version, createdAt: before.createdAt, scores };
  return { previous, deltas: scoreDeltas(evalScores(run.outputs), scores) };
}
