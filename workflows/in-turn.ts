// Local activities one at a time within a run. Lanes that call local activities side by side see them end
// in wall-clock order live, but a replay resolves them in another order (sdk-core's grouping of local
// activity resolutions, as in temporalio/sdk-python#1578 and #1881): the worker that replays the run after a
// crash fails its tasks with a nondeterminism error, and the run hangs. One at a time, both orders are one.

export type InTurn = <T>(call: () => Promise<T>) => Promise<T>;

/** Each call starts once the one before it has ended, succeeded or failed. */
export function oneAtATime(): InTurn {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(call: () => Promise<T>) => {
    const turn = last.then(call, call);
    last = turn.catch(() => undefined);
    return turn;
  };
}

/** Calls as they come: how runs recorded before the patch ran, so their histories replay. */
export const asCalled: InTurn = (call) => call();
