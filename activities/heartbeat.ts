// Heartbeats while an activity's work runs: a worker that dies mid-call is noticed within the heartbeat timeout
// (not the call's start-to-close), and a cancel reaches the work (a cancel arrives in a heartbeat's answer).
import { Context } from '@temporalio/activity';

/** `work`, heartbeating every second until it settles. */
export async function beating<T>(work: () => Promise<T>, ctx: Context = Context.current()): Promise<T> {
  const beat = setInterval(() => ctx.heartbeat(), 1000);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}
