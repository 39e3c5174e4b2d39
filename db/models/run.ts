import { Model } from 'objection';
import type { RunStatus } from '../../core/run-story/status.js';
import type { RunTarget } from '../../core/run-story/view.js';
import type { RunKind } from '../../core/specs.js';

// The target's type lives with the run view (core/run-story/view.ts); importers here keep finding it.
export type { RunTarget };

export class RunRow extends Model {
  static override tableName = 'runs';
  static override jsonAttributes = ['target', 'inputs', 'outputs', 'error'];
  id!: string;
  kind!: RunKind;
  status!: RunStatus;
  target!: RunTarget;
  inputs!: Record<string, unknown>;
  outputs!: Record<string, unknown> | null;
  error!: { message: string; type?: string } | null;
  workflowId!: string;
  temporalRunId!: string | null;
  inputTokens!: number;
  outputTokens!: number;
  costUsd!: number;
  lastSeq!: number;
  createdAt!: string;
  startedAt!: string | null;
  endedAt!: string | null;
  updatedAt!: string;
  /** Where the run was started from, e.g. app:review-digest@2. */
  origin?: string | null;
  /** The run this one was forked from, and the step it was forked at. */
  forkOfRun?: string | null;
  forkOfStep?: string | null;
  /** The OpenTelemetry trace the run started in, when tracing was on. */
  traceId?: string | null;
}

export class RunEventRow extends Model {
  static override tableName = 'run_events';
  static override jsonAttributes = ['data'];
  id!: number;
  runId!: string;
  seq!: number;
  key!: string;
  type!: string;
  data!: Record<string, unknown>;
  time!: string;
}

export class AuditRow extends Model {
  static override tableName = 'audit_log';
  static override jsonAttributes = ['details'];
  id!: number;
  at!: string;
  actor!: string;
  action!: string;
  subject!: string;
  details!: Record<string, unknown> | null;
}
