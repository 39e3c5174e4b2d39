// Waiting for a person: the approve Update brings a decision, the pendingApprovals Query lists what waits. An
// agent's tool calls and budget, and an optimizer's budget, ask the same way, so one inbox and one card answer both.
import { condition, defineQuery, defineUpdate, setHandler } from '@temporalio/workflow';
import type { ToolCall } from '../core/policy.js';
import { approvalRequested, approvalResolved } from '../core/run-story/events.js';
import { record } from './run-events.js';

export interface ApprovalDecision {
  approvalId: string;
  decision: 'approve' | 'deny';
  reason?: string;
  remember?: 'run' | 'never';
}

export const approve = defineUpdate<{ ok: true }, [ApprovalDecision]>('approve');
export const pendingApprovals =
  defineQuery<Array<{ approvalId: string; call: ToolCall | null; kind: string }>>('pendingApprovals');

/** Approvals waiting for a person, and the answers the approve Update brought. */
export interface Approvals {
  pending: Map<string, { call: ToolCall | null; kind: string }>;
  answers: Map<string, ApprovalDecision>;
}

export function listenForApprovals(): Approvals {
  const approvals: Approvals = { pending: new Map(), answers: new Map() };
  const validator = (d: ApprovalDecision) => {
    if (!approvals.pending.has(d.approvalId)) throw new Error(`no pending approval '${d.approvalId}' on this run`);
    if (d.decision !== 'approve' && d.decision !== 'deny') throw new Error("decision must be 'approve' or 'deny'");
  };
  const answer = (d: ApprovalDecision) => {
    approvals.answers.set(d.approvalId, d);
    return { ok: true as const };
  };
  setHandler(approve, answer, { validator });
  setHandler(pendingApprovals, () => [...approvals.pending].map(([approvalId, p]) => ({ approvalId, ...p })));
  return approvals;
}

/**
 * Ask a person and wait (up to `timeoutMs`, or for as long as it takes): the run shows waiting_approval meanwhile.
 * A wait that times out is a denial.
 */
export async function waitForPerson(
  runId: string,
  approvals: Approvals,
  ask: {
    approvalId: string;
    kind: string;
    call: ToolCall | null;
    args?: unknown;
    /** Why the wait ends unanswered (a search stopped meanwhile), once it should: a denial with that reason. */
    endedBy?: () => string | undefined;
  },
  timeoutMs?: number,
): Promise<ApprovalDecision> {
  const { approvalId, kind, call, endedBy } = ask;
  const { pending, answers } = approvals;
  pending.set(approvalId, { call, kind });
  await record(
    runId,
    [
      approvalRequested({
        approvalId,
        callId: approvalId,
        tool: call?.tool ?? kind,
        args: call?.args ?? ask.args ?? null,
      }),
    ],
    { status: 'waiting_approval' },
  );
  const done = () => answers.has(approvalId) || endedBy?.() !== undefined;
  const answered = timeoutMs === undefined ? await condition(done).then(() => true) : await condition(done, timeoutMs);
  pending.delete(approvalId);
  const ended = endedBy?.();
  const d =
    answers.get(approvalId) ??
    (answered && ended !== undefined
      ? { approvalId, decision: 'deny' as const, reason: ended }
      : { approvalId, decision: 'deny' as const, reason: 'timed out waiting for approval' });
  await record(
    runId,
    [approvalResolved({ approvalId, decision: d.decision, ...(d.reason ? { reason: d.reason } : {}) })],
    { status: 'running' },
  );
  return d;
}
