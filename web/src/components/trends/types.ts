// What GET /api/{components,pipelines}/:name/trends and GET /api/evals/:id/previous answer (docs/api.md).
export interface TrendEval {
  runId: string;
  dataset: string;
  split: string;
  createdAt: string;
  scores: Record<string, number>;
}

export interface VersionTrend {
  version: number;
  runs: number;
  costUsdAvg: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  evals: TrendEval[];
}

export interface Trends {
  versions: VersionTrend[];
  runsPerDay: Array<{ day: string; runs: number; failed: number }>;
}

export interface PreviousEval {
  previous: { runId: string; version: number; createdAt: string; scores: Record<string, number> } | null;
  deltas: Record<string, number>;
}
