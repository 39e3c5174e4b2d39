// Start, inspect, cancel and replay runs; a run is a runs row plus a workflow with the same id.
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { StepReuse } from '../../core/fork.js';
import type { TrajectoryStep } from '../../core/react.js';
import { redact } from '../../core/redact.js';
import { checkRunInputs, componentPlan, planPipeline, type PipelinePlan } from '../../core/pipeline-plan.js';
import { versionRef } from '../../core/run-story/ids.js';
import { parseSignature } from '../../core/signature.js';
import { runRequest, type ComponentSpec, type PipelineSpec } from '../../core/specs.js';
import { typeToString } from '../../core/types.js';
import { runVersions, type LabelKind, type LabelResolution } from '../../core/versions.js';
import { audit } from '../../db/repositories/audit.js';
import { payloadStore } from '../../db/payload-store.js';
import type { RunRow } from '../../db/models/run.js';
import { eventPageText } from '../../db/repositories/run-views.js';
import * as runs from '../../db/repositories/runs.js';
import { components, pipelines } from '../../db/repositories/versioned.js';
import { runExecutions } from '../../temporal/executions.js';
import { historyView } from '../../temporal/history-view.js';
import { workflowBundleOptions } from '../../temporal/bundle.js';
import { replayRun } from '../../temporal/replay.js';
import { agentWorkflow } from '../../workflows/agent.js';
import { componentWorkflow } from '../../workflows/component.js';
import { pipelineWorkflow } from '../../workflows/pipeline.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { runView } from './run-view.js';
import { checkActive, planProviders, startRun } from './start.js';
import { followLabel } from './labels.js';
import { resolveComponents } from './specs.js';

export { runView, runViewPageBody } from './run-view.js';

/** A run request's `label`: the version it names now, and the labels followed so far with it. */
export async function followRunLabel(
  ctx: AppContext,
  kind: LabelKind,
  name: string,
  label: string | undefined,
  labels: LabelResolution[] = [],
) {
  if (!label) return { version: undefined, labels };
  const version = await followLabel(ctx, kind, name, label);
  return { version, labels: [...labels, { kind, name, label, version }] };
}

/** `origin`: where the run was started from (an app), recorded on the run; `labels`: labels the caller followed to get here. */
export async function startPipelineRun(
  ctx: AppContext,
  idOrName: string,
  body: unknown,
  origin?: string,
  labels?: LabelResolution[],
) {
  const req = runRequest.parse(body);
  const followed = await followRunLabel(ctx, 'pipeline', idOrName, req.label, labels);
  const version = await pipelines.getVersion(ctx.store, idOrName, followed.version ?? req.version);
  const spec = version.spec as PipelineSpec;
  // The version's pins, and its labels read now: what it runs was fixed when it was saved or promoted, never by a later save.
  const resolved = await resolveComponents(ctx, spec, version.pins);
  const plan = planPipeline(spec, (ref) => resolved.get(ref));
  checkRunInputs(spec.inputs, req.inputs);
  return startPlannedRun(ctx, {
    kind: 'pipeline',
    version,
    plan,
    inputs: req.inputs,
    origin,
    cache: req.cache,
    labels: followed.labels,
  });
}

export interface PlannedRunStart {
  kind: 'pipeline' | 'component';
  version: { id: string; name: string; version: number };
  plan: PipelinePlan;
  inputs: Record<string, unknown>;
  origin?: string | undefined;
  cache?: 'reuse' | 'off' | undefined;
  /** A fork: the source, and the steps its recorded outputs answer. */
  fork?: { of: { runId: string; step: string }; reuse: Record<string, StepReuse> };
  /** Labels followed before the plan (an app's target label); the plan's own are read from its steps. */
  labels?: LabelResolution[] | undefined;
}

/** A pipeline run, or a component tried as a one-step plan: the same workflow shape. */
export function startPlannedRun(ctx: AppContext, s: PlannedRunStart) {
  const { kind, version, plan, inputs } = s;
  const target = { type: kind, name: version.name, version: version.version };
  return startRun(ctx, {
    kind,
    target: { ...target, id: version.id },
    inputs,
    workflow: kind === 'pipeline' ? pipelineWorkflow : componentWorkflow,
    input: (runId) => ({
      runId,
      kind,
      target,
      plan,
      inputs,
      heartbeatTimeoutMs: ctx.heartbeatTimeoutMs,
      ...(s.cache ? { cache: s.cache } : {}),
      ...(s.fork ? { reuse: s.fork.reuse } : {}),
    }),
    providers: planProviders(plan),
    origin: s.origin,
    definition: { kind: 'plan', plan },
    ...(s.fork ? { forkOf: s.fork.of } : {}),
    versions: runVersions(target, plan.steps, { origin: s.origin, labels: s.labels }),
  });
}

export interface AgentRunStart {
  version: { id: string; name: string; version: number; spec: ComponentSpec };
  inputs: Record<string, unknown>;
  origin?: string | undefined;
  labels?: LabelResolution[] | undefined;
  /** A fork: the source, and the trajectory turns it already took. */
  fork?: { of: { runId: string; step: string }; turns: TrajectoryStep[] };
}

export async function startAgentRun(ctx: AppContext, s: AgentRunStart) {
  const { version, inputs, origin } = s;
  const sig = parseSignature(version.spec.signature);
  checkRunInputs(Object.fromEntries(sig.inputs.map((f) => [f.name, typeToString(f.type)])), inputs);
  if (!version.spec.tools?.length)
    throw new AppError(
      400,
      'invalid_spec',
      `agent '${version.name}' has no tools; a react component lists the tools it may use`,
    );
  const target = { type: 'component' as const, name: version.name, version: version.version };
  return startRun(ctx, {
    kind: 'agent',
    target: { ...target, id: version.id },
    inputs,
    workflow: agentWorkflow,
    input: (runId) => ({
      runId,
      component: version.spec,
      target,
      inputs,
      heartbeatTimeoutMs: ctx.heartbeatTimeoutMs,
      continueAfterEvents: ctx.continueAfterEvents,
      ...(s.fork ? { fork: { sourceRunId: s.fork.of.runId, turns: s.fork.turns } } : {}),
    }),
    providers: [version.spec.provider],
    origin,
    definition: { kind: 'agent', ref: versionRef(version.name, version.version), component: version.spec },
    ...(s.fork ? { forkOf: s.fork.of } : {}),
    versions: runVersions(target, [], { origin, labels: s.labels }),
  });
}

/** Trying a component is a one-step plan whose inputs and outputs are the signature's; a react component is an agent run. */
export async function startComponentRun(
  ctx: AppContext,
  idOrName: string,
  body: unknown,
  origin?: string,
  labels?: LabelResolution[],
) {
  const req = runRequest.parse(body);
  const followed = await followRunLabel(ctx, 'component', idOrName, req.label, labels);
  const version = await components.getVersion(ctx.store, idOrName, followed.version ?? req.version);
  if (version.spec.kind === 'react')
    return startAgentRun(ctx, { version, inputs: req.inputs, origin, labels: followed.labels });
  const plan = componentPlan(version.name, version.version, version.spec);
  checkRunInputs(plan.inputs, req.inputs);
  return startPlannedRun(ctx, {
    kind: 'component',
    version,
    plan,
    inputs: req.inputs,
    origin,
    cache: req.cache,
    labels: followed.labels,
  });
}

export async function getRunView(ctx: AppContext, id: string) {
  return runView(ctx, id);
}

/** The run a path names, loaded once per request (a 404 when there is none). */
export function loadRun(ctx: AppContext, id: string): Promise<RunRow> {
  return runs.getRun(ctx.store, id);
}

export async function cancelRun(ctx: AppContext, run: RunRow) {
  checkActive(run, 'cancel');
  try {
    await ctx.temporal.client.workflow.getHandle(run.workflowId).cancel();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    throw new AppError(409, 'not_running', `run '${run.id}' has no running workflow`);
  }
  await audit(ctx.store, { actor: 'api', action: 'run.cancel', subject: run.id });
  return runView(ctx, run.id);
}

/** A page of the run's events as JSON text, kept in the page cache until the store is written. */
export function eventPage(ctx: AppContext, run: RunRow, after: number, limit: number): Promise<string> {
  return ctx.store.pages.get(
    `events ${run.id} ${after} ${limit}`,
    async () => `{"events":${await eventPageText(ctx.store, run.id, after, limit)}}`,
  );
}

/** A file the run stored (a screenshot, a download): only a plain file name, never a path. */
export function runArtifact(ctx: AppContext, run: RunRow, name: string) {
  const file = path.join(ctx.config.paths.artifacts, run.id, name);
  if (!/^[\w.-]+$/.test(name) || !fs.existsSync(file))
    throw new AppError(404, 'not_found', `run '${run.id}' has no artifact '${name}'`);
  return {
    type: path.extname(name) === '.png' ? 'image/png' : 'application/octet-stream',
    body: fs.createReadStream(file),
  };
}

/** The run's history across every execution (continue-as-new starts a new one), oldest first. */
export async function runHistory(ctx: AppContext, run: RunRow) {
  const executions = await runExecutions(ctx.temporal.client, run.workflowId);
  // Payloads decoded so they can be read and scrubbed; failure messages are scrubbed at their source too.
  const views = executions.map((e) => ({ runId: e.runId, events: historyView(e.history, ctx.keyring).events }));
  const body = {
    workflowId: run.workflowId,
    executions: views.map((v) => ({ runId: v.runId, events: v.events.length })),
    events: views.flatMap((v) => v.events),
  };
  return redact(body, ctx.secrets.list());
}

export async function replay(ctx: AppContext, run: RunRow) {
  return replayRun(
    ctx.temporal.client,
    run.workflowId,
    workflowBundleOptions(ctx.config),
    ctx.keyring,
    payloadStore(ctx.store),
    ctx.telemetry,
  );
}
