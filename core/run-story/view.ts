// How a run looks from outside (API, WebSocket, CLI, dashboard): one type, which the store's SQL writes field by field.
import type { RunKind } from '../specs.js';
import type { RunStatus } from './status.js';

/** What a run runs: a pipeline, a component, a chat or an app, at one version. */
export interface RunTarget {
  type: 'pipeline' | 'component' | 'chat' | 'app';
  id: string;
  name: string;
  version: number;
}

export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface RunView {
  id: string;
  kind: RunKind;
  status: RunStatus;
  target: RunTarget;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  error: { message: string; type?: string } | null;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  /** The seq of its last event (a stream resumes after it). */
  lastSeq: number;
  /** Where it was started from: `app:<name>@<version>`, or a parent's `eval:<run>` / `optimize:<run>`. */
  origin: string | null;
  /** The run and step this one was forked from. */
  forkOf: { runId: string; step: string } | null;
  /** The OpenTelemetry trace it ran in (when tracing was on). */
  traceId: string | null;
  /** When it was archived (hidden from lists unless asked for). */
  archivedAt: string | null;
  /** A chat's run: the chat it is. */
  chat: { id: string; title: string } | null;
  /** An optimizer's usage counts its trials' too. */
  usage: RunUsage;
  /** Where its workflow is in the Temporal UI. */
  temporal: { workflowId: string; runId: string | null; uiUrl: string };
  /** People's feedback on it and its steps, summed up (null: none); GET /api/runs/:id/feedback lists it. */
  feedback: RunFeedbackSummary | null;
}

export interface RunFeedbackSummary {
  count: number;
  /** How many are negative (thumbs down, score ≤ 2, a negative label) and positive (thumbs up, score ≥ 4). */
  negative: number;
  positive: number;
  /** The mean of its scores (null: none scored). */
  score: number | null;
}
