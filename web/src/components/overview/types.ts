// What GET /api/overview answers (docs/api.md), as the overview's charts and cards read it.

export type OverviewWindow = 'hour' | 'day' | 'week' | '30d';

// A type, not an interface: the URL state takes records of plain values.
export type OverviewFilters = {
  /** An OverviewWindow, or whatever the URL held (the API answers 400 to that). */
  window: string;
  target: string | null;
  provider: string | null;
  model: string | null;
  origin: string | null;
};

export interface RunsBucket {
  t: string;
  total: number;
  failed: number;
}

export interface UsageBucket {
  t: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface LatencyBucket {
  t: string;
  target: string;
  p50Ms: number;
  p95Ms: number;
}

export interface EvalScores {
  runId: string;
  target: string;
  dataset: string;
  createdAt: string;
  scores: Record<string, number>;
  previous: { runId: string; scores: Record<string, number> } | null;
}

interface RunList<T> {
  count: number;
  runs: Array<{ id: string; target: string } & T>;
}

export interface Overview {
  window: OverviewWindow;
  from: string;
  to: string;
  bucketMs: number;
  runs: RunsBucket[];
  usage: UsageBucket[];
  latency: LatencyBucket[];
  slowestTargets: Array<{ target: string; runs: number; p50Ms: number; p95Ms: number }>;
  costliestTargets: Array<{ target: string; runs: number; costUsd: number; tokens: number }>;
  pendingApprovals: RunList<{ since: string }>;
  running: RunList<{ startedAt: string }>;
  stuck: RunList<{ lastEventAt: string }>;
  latestEvals: EvalScores[];
  options: { targets: string[]; providers: string[]; models: string[]; origins: string[] };
}

/** A click on a chart: the bucket under the pointer and the value at the pointer's height. */
export interface BucketClick {
  index: number;
  value: number;
}
