// Start, inspect, cancel and replay runs; a run is a runs row plus a workflow with the same id.
import { WorkflowNotFoundError } from '@temporalio/client';
import { newId } from '../../core/ids.js';
import { redact } from '../../core/redact.js';
import { checkRunInputs, componentPlan, planPipeline, type PipelinePlan } from '../../core/pipeline-plan.js';
import { runRequest, type PipelineSpec } from '../../core/specs.js';
import type { RunRow, RunTarget } from '../../db/models/run.js';
import { audit } from '../../db/repositories/audit.js';
import * as runs from '../../db/repositories/runs.js';
import { components, pipelines } from '../../db/repositories/versioned.js';
import { historyView } from '../../temporal/history-view.js';
import { replayRun } from '../../temporal/replay.js';
import type { PipelineRunInput } from '../../workflows/pipeline.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { startAgentRun } from './agents.js';
import { resolveComponents } from './specs.js';

export function runView(ctx: AppContext, r: RunRow) {
  const ns = encodeURIComponent(ctx.temporal.namespace);
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    target: r.target,
    inputs: r.inputs,
    outputs: r.outputs,
    error: r.error,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    lastSeq: r.lastSeq,
    usage: { inputTokens: Number(r.inputTokens), outputTokens: Number(r.outputTokens), costUsd: Number(r.costUsd) },
    temporal: {
      workflowId: r.workflowId,
      runId: r.temporalRunId,
      uiUrl: `${ctx.temporal.uiUrl}/namespaces/${ns}/workflows/${encodeURIComponent(r.workflowId)}${r.temporalRunId ? `/${r.temporalRunId}` : ''}/history`,
    },
  };
}
export type RunView = ReturnType<typeof runView>;

async function startRun(
  ctx: AppContext,
  kind: 'pipeline' | 'component',
  workflowType: string,
  target: RunTarget & { type: 'pipeline' | 'component' },
  plan: PipelinePlan,
  inputs: Record<string, unknown>,
) {
  const id = newId('run');
  await runs.createRun(ctx.store, { id, kind, target, inputs });
  const input: PipelineRunInput = {
    runId: id,
    kind,
    target: { type: target.type, name: target.name, version: target.version },
    plan,
    inputs,
    heartbeatTimeoutMs: ctx.heartbeatTimeoutMs,
  };
  try {
    const handle = await ctx.temporal.client.workflow.start(workflowType, { workflowId: id, taskQueue: ctx.temporal.taskQueue, args: [input] });
    await runs.updateRun(ctx.store, id, { temporalRunId: handle.firstExecutionRunId });
  } catch (err) {
    const message = `could not start the workflow: ${(err as Error).message}`;
    await runs.updateRun(ctx.store, id, { status: 'failed', error: { message } });
    throw new AppError(503, 'temporal_unavailable', message);
  }
  await audit(ctx.store, { actor: 'api', action: `${kind}.run`, subject: id, details: { target } });
  return runView(ctx, await runs.getRun(ctx.store, id));
}

export async function startPipelineRun(ctx: AppContext, idOrName: string, body: unknown) {
  const req = runRequest.parse(body);
  const version = await pipelines.getVersion(ctx.store, idOrName, req.version);
  const spec = version.spec as PipelineSpec;
  const resolved = await resolveComponents(ctx, spec);
  const plan = planPipeline(spec, (ref) => resolved.get(ref));
  checkRunInputs(spec.inputs, req.inputs);
  return startRun(ctx, 'pipeline', 'pipelineWorkflow', { type: 'pipeline', id: version.id, name: version.name, version: version.version }, plan, req.inputs);
}

/** Trying a component is a one-step plan whose inputs and outputs are the signature's. */
export async function startComponentRun(ctx: AppContext, idOrName: string, body: unknown) {
  const req = runRequest.parse(body);
  const version = await components.getVersion(ctx.store, idOrName, req.version);
  if (version.spec.kind === 'react') return startAgentRun(ctx, version, req.inputs);
  const plan = componentPlan(version.name, version.version, version.spec);
  checkRunInputs(plan.inputs, req.inputs);
  return startRun(ctx, 'component', 'componentWorkflow', { type: 'component', id: version.id, name: version.name, version: version.version }, plan, req.inputs);
}

export async function getRunView(ctx: AppContext, id: string) {
  return runView(ctx, await runs.getRun(ctx.store, id));
}

export async function cancelRun(ctx: AppContext, id: string) {
  const run = await runs.getRun(ctx.store, id);
  try {
    await ctx.temporal.client.workflow.getHandle(run.workflowId).cancel();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    throw new AppError(409, 'not_running', `run '${id}' has no running workflow`);
  }
  await audit(ctx.store, { actor: 'api', action: 'run.cancel', subject: id });
  return runView(ctx, await runs.getRun(ctx.store, id));
}

export async function runHistory(ctx: AppContext, id: string) {
  const run = await runs.getRun(ctx.store, id);
  const history = await ctx.temporal.client.workflow.getHandle(run.workflowId).fetchHistory();
  // Payloads decoded so they can be read and scrubbed; failure messages are scrubbed at their source too.
  return redact({ workflowId: run.workflowId, ...historyView(history) }, ctx.secrets.list());
}

export async function replay(ctx: AppContext, id: string) {
  const run = await runs.getRun(ctx.store, id);
  return replayRun(ctx.temporal.client, run.workflowId);
}
