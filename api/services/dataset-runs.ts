// Runs kept as dataset examples: each run's inputs, its outputs as the expected answer unless one is
// given instead, and its id as the example's source. One run (its page), picked runs or every run a
// runs-list filter matches (the runs page); all or nothing.
import { z } from 'zod';
import { DEFAULT_SPLIT, SPLITS, type ExampleInput } from '../../core/dataset-import.js';
import { runListQuery } from '../../core/specs.js';
import { audit } from '../../db/repositories/audit.js';
import * as ds from '../../db/repositories/datasets.js';
import type { RunRow } from '../../db/models/run.js';
import * as runs from '../../db/repositories/runs.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';

/** Runs whose inputs and outputs are a question and its answer (an eval's or a chat's are not). */
const KEPT_KINDS = new Set(['component', 'pipeline', 'agent']);
/** A filter matching more runs than this is refused: a dataset grows by what someone looked at. */
export const MAX_RUNS = 1000;

const record = z.record(z.string(), z.unknown());
export const addRunsBody = z
  .strictObject({
    runs: z
      .array(z.strictObject({ id: z.string().min(1), expected: record.optional() }))
      .min(1)
      .max(MAX_RUNS)
      .optional(),
    /** The runs list's query (GET /api/runs), without its paging. */
    filter: runListQuery.omit({ limit: true, cursor: true }).optional(),
    split: z.enum(SPLITS).default(DEFAULT_SPLIT),
  })
  .refine((b) => !b.runs !== !b.filter, 'name the runs or filter (one of them)');

/** Every run a filter matches, as the runs list pages them (child runs only when the origin asks for them). */
async function runsMatching(
  ctx: AppContext,
  filter: NonNullable<z.infer<typeof addRunsBody>['filter']>,
): Promise<RunRow[]> {
  const { q: text, ...rest } = filter;
  const out: RunRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await runs.listRuns(ctx.store, { ...rest, text, topLevel: !filter.origin, cursor, limit: 200 });
    out.push(...page.runs);
    if (out.length > MAX_RUNS)
      throw new AppError(400, 'invalid_request', `the filter matches more than ${MAX_RUNS} runs; narrow it`);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** Why a run cannot be an example, or undefined when it can. */
const unfit = (run: RunRow): string | undefined =>
  !KEPT_KINDS.has(run.kind)
    ? `a ${run.kind} run`
    : run.status !== 'completed' || !run.outputs
      ? `${run.status}, so it has no outputs`
      : undefined;

export async function addRunsToDataset(ctx: AppContext, d: ds.DatasetRow, body: unknown) {
  const req = addRunsBody.parse(body);
  const picked = req.runs
    ? await Promise.all(req.runs.map(async (r) => ({ run: await runs.getRun(ctx.store, r.id), expected: r.expected })))
    : (await runsMatching(ctx, req.filter!)).map((run) => ({ run, expected: undefined }));
  const judged = picked.map((p) => ({ ...p, reason: unfit(p.run) }));
  const skipped = judged.flatMap(({ run, reason }) => (reason ? [{ id: run.id, reason }] : []));
  const examples: Array<ExampleInput & { sourceRunId: string }> = judged
    .filter(({ reason }) => !reason)
    .map(({ run, expected }) => ({
      inputs: run.inputs,
      expected: expected ?? run.outputs!,
      split: req.split,
      sourceRunId: run.id,
    }));
  const added = examples.length ? await ds.addExamples(ctx.store, d.id, examples) : 0;
  await audit(ctx.store, {
    actor: 'api',
    action: 'dataset.add_runs',
    subject: d.id,
    details: { added, skipped: skipped.length, split: req.split },
  });
  return { added, skipped, dataset: { id: d.id, name: d.name, splits: await ds.splitCounts(ctx.store, d.id) } };
}
