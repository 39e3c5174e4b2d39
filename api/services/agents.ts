// Approvals (Updates on the agent workflow) and the tool policy.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { readPolicy, writePolicy } from '../../db/policy-file.js';
import { everyReason, toolCall } from '../../core/policy.js';
import { judgeToolCall } from '../../judge/index.js';
import { newId } from '../../core/ids.js';
import { audit } from '../../db/repositories/audit.js';
import type { RunRow } from '../../db/models/run.js';
import * as runs from '../../db/repositories/runs.js';
import { approve, pendingApprovals } from '../../workflows/approvals.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { checkActive } from './start.js';

const approvalBody = z.strictObject({
  decision: z.enum(['approve', 'deny']),
  reason: z.string().max(2000).optional(),
  remember: z.enum(['run', 'never']).optional(),
});

export async function resolveApproval(ctx: AppContext, run: RunRow, approvalId: string, body: unknown) {
  const d = approvalBody.parse(body);
  const runId = checkActive(run, 'resolve an approval').id;
  try {
    await ctx.temporal.client.workflow
      .getHandle(run.workflowId)
      .executeUpdate(approve, { args: [{ approvalId, ...d }], updateId: `approval-${approvalId}-${newId('u')}` });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw new AppError(409, 'no_such_approval', (err.cause as Error | undefined)?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError)
      throw new AppError(409, 'run_ended', `cannot resolve an approval: run '${runId}' has no running workflow`);
    throw err;
  }
  await audit(ctx.store, {
    actor: 'api',
    action: `approval.${d.decision}`,
    subject: `${runId}/${approvalId}`,
    details: { reason: d.reason ?? null, remember: d.remember ?? null },
  });
  return { ok: true, runId, approvalId, decision: d.decision };
}

/** The approvals inbox: every run waiting on a person, with what it waits for. */
export async function listApprovals(ctx: AppContext) {
  const waiting = await runs.listRuns(ctx.store, { status: 'waiting_approval', limit: 200 });
  const out = [];
  for (const run of waiting.runs) {
    try {
      const pending = await ctx.temporal.client.workflow.getHandle(run.workflowId).query(pendingApprovals);
      out.push(...pending.map((p) => ({ runId: run.id, target: run.target, ...p })));
    } catch {
      // a run that cannot answer right now shows up on the next look
    }
  }
  return out;
}

/** The dry run: what the registry would decide for this call right now, with real paths. */
export async function checkPolicy(ctx: AppContext, body: unknown) {
  const call = toolCall.parse((body as { call?: unknown } | null)?.call);
  const { decision } = await judgeToolCall(readPolicy(ctx.config.tools.policyPath), call, ctx.config.tools);
  // The dry run lists every reason that applies; a call decided by one rule lists that one.
  return { ...decision, reasons: decision.reasons ?? everyReason(decision, []) };
}

export function getPolicy(ctx: AppContext) {
  return readPolicy(ctx.config.tools.policyPath);
}

export async function putPolicy(ctx: AppContext, body: unknown) {
  const policy = writePolicy(ctx.config.tools.policyPath, body);
  await audit(ctx.store, {
    actor: 'api',
    action: 'policy.update',
    subject: 'policy',
    details: { rules: policy.rules.length },
  });
  return policy;
}
