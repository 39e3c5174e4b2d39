// The one run lifecycle every workflow kind goes through: run.started, then exactly one of
// run.completed / run.failed / run.cancelled with the matching status, whatever the body does.
import { ApplicationFailure, CancellationScope, ContinueAsNew, isCancellation, patched } from '@temporalio/workflow';
import { runCancelled, runCompleted, runFailed, runStarted, type NewRunEvent } from '../core/run-story/events.js';
import { failureMessage, failureType } from '../core/failures.js';
import { carryStart } from '../core/run-story/carry.js';
import { newStory, record, write, type RunStory } from './run-events.js';

/** A heartbeating activity's timeout when the run's input names none (the backend passes its configured one). */
export const HEARTBEAT_TIMEOUT_MS = 10_000;

export interface RunHeader {
  runId: string;
  kind: string;
  target: unknown;
  inputs: Record<string, unknown>;
  /** A continued-as-new execution of a run that already started: no second run.started. */
  continued?: boolean | undefined;
}

export interface LifecycleOptions<T> {
  /** What the run's outputs are, when the body's result is not already an outputs object. */
  outputs?: (result: T) => Record<string, unknown>;
  /** Cleanup that must run however the run ends (not on continue-as-new). */
  finally?: () => Promise<void>;
  /** The body writes through this story: run.started rides with its first write, and its carried events with the run's end. */
  story?: RunStory;
}

/**
 * Run `body` as a run: events and status are recorded here, never by the body.
 * @example return runLifecycle({ runId, kind: 'eval', target, inputs }, () => evaluate(input));
 */
export async function runLifecycle<T>(run: RunHeader, body: () => Promise<T>, o: LifecycleOptions<T> = {}): Promise<T> {
  const { runId } = run;
  const story: RunStory = o.story ?? newStory(runId);
  if (!run.continued) {
    const started: NewRunEvent = runStarted({ kind: run.kind, target: run.target, inputs: run.inputs });
    if (o.story?.startRides && patched('carried-run-events'))
      carryStart(story.carry, { events: [started], patch: { status: 'running' } });
    else await record(runId, [started], { status: 'running' });
  }
  let result: T;
  try {
    result = await body();
  } catch (err) {
    // continueAsNew ends this execution by throwing: the run goes on in the next one.
    if (err instanceof ContinueAsNew) throw err;
    await CancellationScope.nonCancellable(async () => {
      await o.finally?.().catch(() => undefined);
      if (isCancellation(err))
        await write(story, [runCancelled({ reason: 'cancel requested' })], { status: 'cancelled' });
      else {
        const message = failureMessage(err);
        const type = failureType(err);
        await write(story, [runFailed({ error: message, ...(type ? { type } : {}) })], {
          status: 'failed',
          error: { message, ...(type ? { type } : {}) },
        });
      }
    });
    if (isCancellation(err)) throw err;
    throw ApplicationFailure.nonRetryable(failureMessage(err), failureType(err) ?? 'RunFailed');
  }
  await o.finally?.().catch(() => undefined);
  const outputs = o.outputs ? o.outputs(result) : (result as Record<string, unknown>);
  await write(story, [runCompleted({ outputs })], { status: 'completed', outputs });
  return result;
}
