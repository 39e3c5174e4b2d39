// Stopping a search early: the stopSearch Update asks MIPROv2 or GEPA to end after the candidate it is on and
// keep the best so far; a budget ask waiting then ends unanswered (its wait watches the stop), so a stop never
// waits on a person.
import { defineUpdate, setHandler } from '@temporalio/workflow';

export const stopSearch = defineUpdate<{ ok: true }, [{ reason?: string }]>('stopSearch');

export interface Stop {
  /** Why a person stopped the search, once one has. */
  reason?: string;
  /** Set once the search is over and its verdict is being taken: a stop then changes nothing and is refused. */
  over?: boolean;
}

export function listenForStop(): Stop {
  const stop: Stop = {};
  const validator = (_: { reason?: string }) => {
    if (stop.over) throw new Error('the search is over: it is judging its best candidate on the held-out split');
  };
  setHandler(
    stopSearch,
    ({ reason }) => {
      stop.reason = reason?.trim() || 'stopped by a person';
      return { ok: true as const };
    },
    { validator },
  );
  return stop;
}
