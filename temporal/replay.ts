// Replay a run's recorded history against today's workflow code (a determinism check), and when it
// fails, name the event where today's code parts from the history.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import type { Keyring } from '../keyring/index.js';
import { workflowBundle, type BundleOptions } from './bundle.js';
import { encryptedDataConverter } from './codec.js';
import type { PayloadStore } from './payload-store.js';
import { runExecutions } from './executions.js';
import type { Telemetry } from './telemetry.js';
import { tracingOptions } from './worker.js';

type History = proto.temporal.api.history.v1.IHistory;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

export interface ReplayResult {
  ok: boolean;
  /** What the SDK said, shortened to its nondeterminism message when there is one. */
  error?: string;
  /** The first recorded event today's code does not reproduce (a command it no longer issues, or issues differently). */
  event?: { id: number; type: string };
  /** A run replayed from the server: how many executions it has (continue-as-new), and the one that failed. */
  executions?: number;
  execution?: string;
  /** Asked for (`harness replay --verbose`): the SDK's whole answer, stack traces included. */
  detail?: string;
}

// Event types as the protobuf enum numbers them (temporal.api.enums.v1.EventType).
const WORKFLOW_TASK_STARTED = 6;
const WORKFLOW_TASK_COMPLETED = 7;
const WORKFLOW_TASK_SCHEDULED = 5;

/** An event's type as Temporal's UI and CLI print it (EVENT_TYPE_MARKER_RECORDED -> MarkerRecorded). */
function eventTypeName(event: HistoryEvent, names: Record<number, string>): string {
  const raw =
    typeof event.eventType === 'string' ? event.eventType : (names[Number(event.eventType)] ?? String(event.eventType));
  return raw
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}

const eventTypes = proto.temporal.api.enums.v1.EventType as unknown as Record<string, number>;
/** An event's type as its enum number, from a decoded history or Temporal's JSON ("EVENT_TYPE_…" or "WorkflowTaskStarted"). */
const typeNumber = (e: HistoryEvent): number => {
  const t = e.eventType as unknown;
  if (typeof t !== 'string') return Number(t);
  const name = t.startsWith('EVENT_TYPE_') ? t : `EVENT_TYPE_${t.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
  return eventTypes[name] ?? -1;
};

/**
 * What the SDK said, out of its long wrapper: the core's nondeterminism message ("[TMPRL1100] …"), else the
 * failure's own message (a payload that would not decode, say) without its stack trace, else the whole text.
 */
const shortError = (message: string): string =>
  /message: "(\[TMPRL\d+\][^"]*)"/.exec(message)?.[1] ??
  /Failure \{ message: "((?:[^"\\]|\\.)*)"/.exec(message)?.[1]?.replace(/\\(.)/g, '$1') ??
  message;

/**
 * Replay one history. On failure, find the workflow task whose recorded commands today's code no longer
 * issues: replay prefixes that end at a task's start (its commands are not compared yet), by bisection.
 */
export async function replayHistory(
  history: History,
  workflowId: string,
  options: ReplayWorkerOptions,
  detail = false,
): Promise<ReplayResult> {
  const attempt = async (h: History): Promise<string | undefined> => {
    try {
      await Worker.runReplayHistory(options, h, workflowId);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  const failure = await attempt(history);
  if (failure === undefined) return { ok: true };
  const events = history.events ?? [];
  const starts = events.flatMap((e, i) => (typeNumber(e) === WORKFLOW_TASK_STARTED ? [i] : []));
  // The smallest prefix that fails: the task completed just before its last start issued other commands.
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((await attempt({ events: events.slice(0, starts[mid]! + 1) })) === undefined) lo = mid + 1;
    else hi = mid;
  }
  const end = lo < starts.length ? starts[lo]! : events.length - 1;
  const completed = events.slice(0, end + 1).findLastIndex((e) => typeNumber(e) === WORKFLOW_TASK_COMPLETED);
  const names = proto.temporal.api.enums.v1.EventType as unknown as Record<number, string>;
  // Its first command event, or the completion itself when the history recorded no command there.
  const next = events[completed + 1];
  const culprit =
    next && typeNumber(next) !== WORKFLOW_TASK_SCHEDULED && typeNumber(next) !== WORKFLOW_TASK_STARTED
      ? next
      : events[completed];
  return {
    ok: false,
    error: shortError(failure),
    ...(detail ? { detail: failure } : {}),
    ...(culprit ? { event: { id: Number(culprit.eventId), type: eventTypeName(culprit, names) } } : {}),
  };
}

/** One line for people: the run, the event, what the SDK said. */
export const describeReplay = (workflowId: string, r: ReplayResult): string => {
  const of = r.executions && r.executions > 1 ? ` (${r.executions} executions)` : '';
  const where = r.execution && r.executions && r.executions > 1 ? ` in execution ${r.execution}` : '';
  return r.ok
    ? `✓ ${workflowId}${of} replays against today's code`
    : `✗ ${workflowId} does not replay${where}${r.event ? ` at event ${r.event.id} (${r.event.type})` : ''}: ${r.error}`;
};

/** Replay every execution of a run (each continue-as-new starts one); the first that fails is the answer. */
export async function replayExecutions(
  executions: Array<{ runId?: string | undefined; history: History }>,
  workflowId: string,
  options: ReplayWorkerOptions,
  detail = false,
): Promise<ReplayResult> {
  for (const e of executions) {
    const r = await replayHistory(e.history, workflowId, options, detail);
    if (!r.ok) return { ...r, executions: executions.length, ...(e.runId ? { execution: e.runId } : {}) };
  }
  return { ok: true, executions: executions.length };
}

/** Replay a run from the server, every execution of it. */
export async function replayRun(
  client: Client,
  workflowId: string,
  bundle: BundleOptions,
  keys: Keyring,
  store: PayloadStore,
  telemetry?: Telemetry,
): Promise<ReplayResult> {
  // A traced bundle calls the exporter sink, which replay registers and then skips.
  const sinks = telemetry ? { sinks: tracingOptions(telemetry).sinks } : {};
  const options = {
    workflowBundle: await workflowBundle(bundle),
    dataConverter: encryptedDataConverter(keys, store),
    ...sinks,
  };
  return replayExecutions(await runExecutions(client, workflowId), workflowId, options);
}
