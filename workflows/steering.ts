// Stopping a search early: the stopSearch Update asks MIPROv2 or GEPA to end after the candidate it is on and
// keep the best so far; a budget ask waiting at that moment is answered no, so a stop never waits on a person.
import { defineUpdate, setHandler } from '@temporalio/workflow';
import type { Approvals } from './approvals.js';

export const stopSearch = defineUpdate<{ ok: true }, [{ reason?: string }]>('stopSearch');

export interface Stop {
  /** Why a person stopped the search, once one has. */
  reason?: string;
}

export function listenForStop(approvals: Approvals): Stop {
  const stop: Stop = {};
  setHandler(stopSearch, ({ reason }) => {
    stop.reason = reason?.trim() || 'stopped by a person';
    for (const approvalId of approvals.pending.keys())
      approvals.answers.set(approvalId, { approvalId, decision: 'deny', reason: stop.reason });
    return { ok: true as const };
  });
  return stop;
}
