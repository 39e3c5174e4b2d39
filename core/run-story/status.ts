// A run's statuses and the patches that move them: shared by the workflows that decide a move and the
// store that makes it, so the workflows need nothing from db/.

// `idle`: a chat waiting for its next message (its turns move it to running and back).
export const runStatuses = [
  'queued',
  'running',
  'idle',
  'waiting_approval',
  'completed',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type RunStatus = (typeof runStatuses)[number];
export const terminalStatuses: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'timed_out'];

/** A move of a run's row: its status, and what goes with it (outputs at the end, the error of a failure). */
export interface RunPatch {
  status?: RunStatus;
  outputs?: Record<string, unknown> | null;
  error?: { message: string; type?: string } | null;
  temporalRunId?: string;
}

/** What a chat run talks to: a provider (and model), or a component's instructions and model. */
export interface ChatTarget {
  provider: string;
  model?: string | undefined;
  component?: string | undefined;
  system?: string | undefined;
  /** Each reply stops at this many tokens (the provider cuts it, with finish reason 'length'). */
  maxTokens?: number | undefined;
}
