// An experiment: one dataset × several variants × metrics × repeats, as one durable run whose cells are evals
// (child workflows), all at once. A cell a resumed experiment kept from its source is not run again.
import {
  CancellationScope,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyLocalActivities,
  startChild,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { failureMessage } from '../core/failures.js';
import { runCancelled } from '../core/run-story/events.js';
import type { RunTarget } from '../core/run-story/view.js';
import { evalWorkflow, lookupOptions, type EvalRunInput, type EvalSummary } from './eval.js';
import { runLifecycle } from './lifecycle.js';
import { record } from './run-events.js';

/** One variant's eval: run here (`eval`, its row's inputs), or kept as the source experiment ran it. */
export interface ExperimentCell {
  label: string;
  evalRunId: string;
  eval?: EvalRunInput;
  /** The eval run's inputs as its row shows them (dataset, split, metrics, settings). */
  inputs?: Record<string, unknown>;
}

export interface ExperimentRunInput {
  runId: string;
  target: RunTarget;
  dataset: string;
  cells: ExperimentCell[];
}

export interface ExperimentSummary {
  cells: Array<{ label: string; evalRunId: string; kept?: true; summary?: EvalSummary; error?: string }>;
}

/** Run one cell's eval to its end: a cell that fails is reported, the others go on. */
async function runCell(runId: string, cell: ExperimentCell): Promise<ExperimentSummary['cells'][number]> {
  const { label, evalRunId } = cell;
  if (!cell.eval) return { label, evalRunId, kept: true };
  const { prepareChildRun } = proxyLocalActivities<Activities>(lookupOptions);
  const prepare = () =>
    prepareChildRun({
      childRunId: evalRunId,
      kind: 'eval',
      target: cell.eval!.target,
      inputs: cell.inputs ?? {},
      parent: `experiment:${runId}`,
      definition: { kind: 'plan', plan: cell.eval!.plan },
    });
  let started = false;
  try {
    await prepare();
    const child = await startChild(evalWorkflow, { workflowId: evalRunId, args: [cell.eval] });
    started = true;
    // A cancel that reaches the experiment while a cell is starting can miss the cell, which then runs on and the
    // experiment waits for it (seen under load): the cell is also asked by its id. Runs from before replay without.
    if (patched('experiment-cell-cancel-by-id'))
      void CancellationScope.current().cancelRequested.catch(() =>
        CancellationScope.nonCancellable(() => getExternalWorkflowHandle(evalRunId).cancel()).catch(() => undefined),
      );
    return { label, evalRunId, summary: await child.result() };
  } catch (err) {
    if (!isCancellation(err)) return { label, evalRunId, error: failureMessage(err) };
    // Cancelled before its eval started: the cell's row says so (a started eval records its own cancel).
    if (!started)
      await CancellationScope.nonCancellable(async () => {
        await prepare();
        await record(evalRunId, [runCancelled({ reason: 'its experiment was cancelled before it started' })], {
          status: 'cancelled',
        });
      });
    throw err;
  }
}

export async function experimentWorkflow(input: ExperimentRunInput): Promise<ExperimentSummary> {
  const header = {
    runId: input.runId,
    kind: 'experiment',
    target: input.target,
    inputs: { dataset: input.dataset, variants: input.cells.map((c) => c.label) },
  };
  return runLifecycle(
    header,
    async () => {
      // Every cell settles (a cancelled one records so) before the experiment ends.
      const settled = await Promise.allSettled(input.cells.map((c) => runCell(input.runId, c)));
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      return { cells: settled.map((s) => (s as PromiseFulfilledResult<ExperimentSummary['cells'][number]>).value) };
    },
    { outputs: (s) => ({ ...s }) },
  );
}
