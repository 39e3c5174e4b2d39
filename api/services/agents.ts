// Agent runs, approvals (Updates on the agent workflow) and the tool policy.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { policyContext, readPolicy, writePolicy } from '../../activities/tools/policy-file.js';
import { realResolve } from '../../activities/tools/workspace.js';
import { evaluatePolicy, toolCall } from '../../core/policy.js';
import { newId } from '../../core/ids.js';
import { checkRunInputs } from '../../core/pipeline-plan.js';
import { parseSignature } from '../../core/signature.js';
import type { ComponentSpec } from '../../core/specs.js';
import { typeToString } from '../../core/types.js';
import { audit } from '../../db/repositories/audit.js';
import * as runs from '../../db/repositories/runs.js';
import type { AgentRunInput } from '../../workflows/agent.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { runView } from './runs.js';

export async function startAgentRun(ctx: AppContext, version: { id: string; name: string; version: number; spec: ComponentSpec }, inputs: Record<string, unknown>) {
  const sig = parseSignature(version.spec.signature);
  checkRunInputs(Object.fromEntries(sig.inputs.map((f) => [f.name, typeToString(f.type)])), inputs);
  if (!version.spec.tools?.length) throw new AppError(400, 'invalid_spec', `agent '${version.name}' has no tools; a react component lists the tools it may use`);
  const id = newId('run');
  await runs.createRun(ctx.store, { id, kind: 'agent', target: { type: 'component', id: version.id, name: version.name, version: version.version }, inputs });
  const input: AgentRunInput = { runId: id, component: version.spec, target: { type: 'component', name: version.name, version: version.version }, inputs, heartbeatTimeoutMs: ctx.heartbeatTimeoutMs, continueAfterEvents: ctx.agentContinueAfterEvents };
  try {
    const handle = await ctx.temporal.client.workflow.start('agentWorkflow', { workflowId: id, taskQueue: ctx.temporal.taskQueue, args: [input] });
    await runs.updateRun(ctx.store, id, { temporalRunId: handle.firstExecutionRunId });
  } catch (err) {
    await runs.updateRun(ctx.store, id, { status: 'failed', error: { message: `could not start the agent: ${(err as Error).message}` } });
    throw new AppError(503, 'temporal_unavailable', `could not start the agent: ${(err as Error).message}`);
  }
  await audit(ctx.store, { actor: 'api', action: 'agent.run', subject: id });
  return runView(ctx, await runs.getRun(ctx.store, id));
}

const approvalBody = z.strictObject({ decision: z.enum(['approve', 'deny']), reason: z.string().max(2000).optional(), remember: z.enum(['run', 'never']).optional() });

export async function resolveApproval(ctx: AppContext, runId: string, approvalId: string, body: unknown) {
  const d = approvalBody.parse(body);
  const run = await runs.getRun(ctx.store, runId);
  try {
    await ctx.temporal.client.workflow.getHandle(run.workflowId).executeUpdate('approve', { args: [{ approvalId, ...d }], updateId: `approval-${approvalId}-${newId('u')}` });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new AppError(409, 'no_such_approval', (err.cause as Error | undefined)?.message ?? err.message);
    throw err;
  }
  await audit(ctx.store, { actor: 'api', action: `approval.${d.decision}`, subject: `${runId}/${approvalId}`, details: { reason: d.reason ?? null, remember: d.remember ?? null } });
  return { ok: true, runId, approvalId, decision: d.decision };
}

/** The approvals inbox: every run waiting on a person, with what it waits for. */
export async function listApprovals(ctx: AppContext) {
  const waiting = await runs.listRuns(ctx.store, { status: 'waiting_approval', limit: 200 });
  const out = [];
  for (const run of waiting.runs) {
    try {
      const pending = await ctx.temporal.client.workflow.getHandle(run.workflowId).query<Array<{ approvalId: string; call: unknown; kind: string }>>('pendingApprovals');
      out.push(...pending.map((p) => ({ runId: run.id, target: run.target, ...p })));
    } catch {
      // a run that cannot answer right now shows up on the next look
    }
  }
  return out;
}

/** The dry run: what the registry would decide for this call right now, with real paths. */
export function checkPolicy(body: unknown) {
  const call = toolCall.parse((body as { call?: unknown } | null)?.call);
  return evaluatePolicy(readPolicy(), call, { ...policyContext(), realpath: realResolve });
}

export function getPolicy() {
  return readPolicy();
}

export async function putPolicy(ctx: AppContext, body: unknown) {
  const policy = writePolicy(body);
  await audit(ctx.store, { actor: 'api', action: 'policy.update', subject: 'policy', details: { rules: policy.rules.length } });
  return policy;
}
