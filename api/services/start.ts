// The one way a run starts, for HTTP, the CLI and the seeded examples: check what it needs, insert
// its runs row (queued), start its workflow (id = run id) by typed reference, record the start.
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { WorkflowExecutionAlreadyStartedError, type WorkflowStartOptions } from '@temporalio/client';
import { SpecError } from '../../core/errors.js';
import type { RunDefinition } from '../../core/fork.js';
import { newId } from '../../core/ids.js';
import type { PipelinePlan } from '../../core/pipeline-plan.js';
import type { RunKind } from '../../core/specs.js';
import type { RunVersions } from '../../core/versions.js';
import type { RunTarget, RunView } from '../../core/run-story/view.js';
import { terminalStatuses } from '../../core/run-story/status.js';
import { audit } from '../../db/repositories/audit.js';
import { saveRunVersions } from '../../db/repositories/labels.js';
import { listProviders } from '../../db/repositories/providers.js';
import { saveRunDefinition } from '../../db/repositories/run-definitions.js';
import { dropPendingStart, savePendingStart } from '../../db/repositories/run-starts.js';
import * as runs from '../../db/repositories/runs.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { runView } from './run-view.js';

/** Every run workflow takes one input object. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any workflow input object
export type RunWorkflow = (input: any) => Promise<unknown>;

export interface RunStart<W extends RunWorkflow> {
  kind: RunKind;
  target: RunTarget;
  inputs: Record<string, unknown>;
  /** The workflow function itself (its name is the workflow type; its parameter types check args). */
  workflow: W;
  /** The workflow's input, given the new run's id (after its row exists). */
  input: (runId: string) => Parameters<W>[0] | Promise<Parameters<W>[0]>;
  /** A run id chosen by the caller (when the target must name it); a new one otherwise. */
  id?: string;
  /** Where the run was started from (`app:<name>@<version>`). */
  origin?: string | undefined;
  /** Providers the run will call: a missing one is refused now, not discovered mid-run. */
  providers?: Iterable<string>;
  /** What the run is asked to do, kept for forks and diffs. */
  definition?: RunDefinition;
  /** The run and step this one is forked from. */
  forkOf?: { runId: string; step: string };
  /** The exact versions the run uses (labels as they were read now). */
  versions?: RunVersions;
}

/** The providers a plan's steps call. */
export const planProviders = (plan: PipelinePlan): string[] => plan.steps.map((s) => s.component.spec.provider);

/** Every provider named must exist; the 400 names the missing ones. */
export async function checkProviders(ctx: AppContext, names: Iterable<string>): Promise<void> {
  const known = new Set((await listProviders(ctx.store)).map((p) => p.name));
  const missing = [...new Set(names)].filter((n) => !known.has(n));
  if (missing.length)
    throw new SpecError(
      'this run cannot start',
      missing.map((n) => ({ path: 'provider', message: `provider '${n}' does not exist (deleted or never created)` })),
    );
}

/**
 * Start a run of any kind.
 * @example await startRun(ctx, { kind: 'pipeline', target, inputs, workflow: pipelineWorkflow, input: (runId) => ({ runId, ... }) })
 */
export async function startRun<W extends RunWorkflow>(ctx: AppContext, s: RunStart<W>): Promise<RunView> {
  if (s.providers) await checkProviders(ctx, s.providers);
  const id = s.id ?? newId('run');
  const span = trace.getActiveSpan()?.spanContext();
  const traceId = span && isSpanContextValid(span) ? span.traceId : undefined;
  await runs.createRun(ctx.store, {
    id,
    kind: s.kind,
    target: s.target,
    inputs: s.inputs,
    ...(s.origin ? { origin: s.origin } : {}),
    ...(s.forkOf ? { forkOf: s.forkOf } : {}),
    ...(traceId ? { traceId } : {}),
  });
  ctx.log.info({ runId: id, kind: s.kind, target: s.target.name }, 'run started');
  if (s.definition) await saveRunDefinition(ctx.store, id, s.definition);
  if (s.versions) await saveRunVersions(ctx.store, id, s.versions);
  const input = await s.input(id);
  // Kept until Temporal has the workflow: should this process die before, the reconciler starts it.
  await savePendingStart(ctx.store, { runId: id, workflow: s.workflow.name, input });
  try {
    const options = {
      workflowId: id,
      taskQueue: ctx.temporal.taskQueue,
      args: [input],
    } as unknown as WorkflowStartOptions<W>;
    const handle = await ctx.temporal.client.workflow.start(s.workflow, options);
    await runs.updateRun(ctx.store, id, { temporalRunId: handle.firstExecutionRunId });
  } catch (err) {
    // Already started: the reconciler started it from its pending start (this start was that slow); it runs once.
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      const message = `could not start the ${s.kind} workflow: ${(err as Error).message}`;
      await runs.updateRun(ctx.store, id, { status: 'failed', error: { message } });
      throw new AppError(503, 'temporal_unavailable', message);
    }
  } finally {
    await dropPendingStart(ctx.store, id);
  }
  await audit(ctx.store, { actor: 'api', action: `${s.kind}.run`, subject: id, details: { target: s.target } });
  return runView(ctx, id);
}

/** A run that has ended cannot be acted on: 409 with its status. */
export async function requireActive(ctx: AppContext, id: string, action: string) {
  return checkActive(await runs.getRun(ctx.store, id), action);
}

/** The same check on a run already loaded (a route's `:id`). */
export function checkActive<R extends { id: string; status: string }>(run: R, action: string): R {
  if ((terminalStatuses as readonly string[]).includes(run.status)) {
    throw new AppError(409, 'run_ended', `cannot ${action}: run '${run.id}' has already ended (${run.status})`, {
      status: run.status,
    });
  }
  return run;
}
