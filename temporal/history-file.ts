// The recorded histories `harness replay` reads, in the three shapes people have: the corpus's
// `{workflowId, history: <base64 protobuf>}`, Temporal's own JSON (`temporal workflow show --output json`,
// the Web UI's download: proto3 JSON, enums as names or numbers) and our API's history JSON
// (`GET /api/runs/:id/history`: every execution's events, payloads shown decoded).
import { createRequire } from 'node:module';
// A CommonJS package: Node's ESM loader offers it as a default export only.
import proto from '@temporalio/proto';
import { ARTIFACT } from './artifact-codec.js';
import { ENCRYPTED } from './codec.js';

type History = proto.temporal.api.history.v1.IHistory;

// protobufjs's proto3-JSON reader, from the copy @temporalio/proto's types were built with. The SDK's
// historyFromJSON takes @temporalio/common's own copy, a second module here (npm nests one per package),
// and every history it reads fails with "type must be a Type".
const require = createRequire(import.meta.url);
const protojson = createRequire(require.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as {
  fromJson(type: unknown, json: unknown, o: { ignoreUnknownFields: boolean }): History | null;
};
const { patchProtobufRoot } = require('@temporalio/proto/lib/patch-protobuf-root') as {
  patchProtobufRoot(root: unknown): { lookupType(name: string): unknown };
};
const historyType = patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History');

// Enums the Web UI's older downloads write short ("WorkflowExecutionStarted"); numbers and full names pass as they are.
const ENUM_PREFIXES: Record<string, string> = {
  eventType: 'EVENT_TYPE',
  kind: 'TASK_QUEUE_KIND',
  parentClosePolicy: 'PARENT_CLOSE_POLICY',
  workflowIdReusePolicy: 'WORKFLOW_ID_REUSE_POLICY',
  initiator: 'CONTINUE_AS_NEW_INITIATOR',
  retryState: 'RETRY_STATE',
};
function fullEnumNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fullEnumNames);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const prefix = ENUM_PREFIXES[k];
      if (prefix && typeof v === 'string' && !v.startsWith(`${prefix}_`))
        return [k, `${prefix}_${v.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`];
      return [k, fullEnumNames(v)];
    }),
  );
}

/** Temporal's proto3 JSON (timestamps and durations as text, enums as names or numbers) as a History. */
function fromTemporalJson(data: { events: unknown[] }): History {
  const history = protojson.fromJson(
    historyType,
    { events: fullEnumNames(data.events) },
    { ignoreUnknownFields: true },
  );
  if (!history) throw new HistoryFileError('its events could not be read');
  return history;
}

/**
 * The replay corpus's key (test/fixtures/histories): public on purpose, it protects nothing but those
 * fixtures, so `harness replay` knows it and the corpus replays in any project.
 */
export const CORPUS_KEY = '6a1f0c3b9e8d7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29';

/** One run as recorded: its executions (several after continue-as-new), oldest first. */
export interface RecordedRun {
  workflowId: string;
  executions: Array<{ runId?: string; history: History }>;
}

/** A file that holds no history we can read; the message says which shapes are. */
export class HistoryFileError extends Error {}

const SHAPES =
  'expected {workflowId, history} (base64), Temporal\'s JSON with "events" (temporal workflow show --output json), or the API\'s history JSON';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The workflow id the first execution recorded (servers since 1.21 write it into the start event). */
const startedWorkflowId = (h: History): string | undefined =>
  h.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId || undefined;

/**
 * A payload as the API shows it ({encoding, value} or an artifact reference) back into the protobuf JSON
 * payload it was, so replay decodes it as the workflow did (json/plain and sealed values as JSON text).
 */
function encodeShownPayloads(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(encodeShownPayloads);
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if (typeof obj.encoding === 'string' && !('metadata' in obj)) {
    if (obj.encoding === ENCRYPTED)
      throw new HistoryFileError('its payloads are encrypted with a key the project that exported it does not have');
    if (obj.encoding === ARTIFACT) {
      const a = obj.artifact as { sha256: string; bytes: number };
      return {
        metadata: { encoding: b64(ARTIFACT), sha256: b64(a.sha256), bytes: b64(String(a.bytes)) },
        data: b64(a.sha256),
      };
    }
    return { metadata: { encoding: b64(obj.encoding) }, data: b64(JSON.stringify(obj.value)) };
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, encodeShownPayloads(v)]));
}

/** The API's JSON: protobufjs's object form (enums as names, timestamps as {seconds, nanos}), executions back to back. */
function fromApiJson(data: {
  workflowId: string;
  executions: Array<{ runId?: string; events: number }>;
  events: unknown[];
}): RecordedRun {
  const events = encodeShownPayloads(data.events) as unknown[];
  let at = 0;
  const executions = data.executions.map((e) => {
    const history = proto.temporal.api.history.v1.History.fromObject({ events: events.slice(at, at + e.events) });
    at += e.events;
    return { runId: e.runId, history };
  });
  return { workflowId: data.workflowId, executions };
}

/** Read a history file's text; `name` (its file name without .json) is the workflow id when the history does not say. */
export function parseHistory(text: string, name: string): RecordedRun {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new HistoryFileError(`not JSON (${(err as Error).message})`);
  }
  if (!data || typeof data !== 'object') throw new HistoryFileError(SHAPES);
  try {
    if (typeof data.history === 'string') {
      const history = proto.temporal.api.history.v1.History.decode(Buffer.from(data.history, 'base64'));
      return {
        workflowId: typeof data.workflowId === 'string' ? data.workflowId : (startedWorkflowId(history) ?? name),
        executions: [{ history }],
      };
    }
    if (Array.isArray(data.events) && Array.isArray(data.executions) && typeof data.workflowId === 'string')
      return fromApiJson(data as Parameters<typeof fromApiJson>[0]);
    if (Array.isArray(data.events) && data.events.length) {
      const history = fromTemporalJson(data as { events: unknown[] });
      return { workflowId: startedWorkflowId(history) ?? name, executions: [{ history }] };
    }
  } catch (err) {
    if (err instanceof HistoryFileError) throw err;
    throw new HistoryFileError(`its events could not be read (${(err as Error).message})`);
  }
  throw new HistoryFileError(SHAPES);
}
