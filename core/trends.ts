// Trend figures from the rows the store returns: each version's runs, cost and latency, runs per day, an eval's deltas.

/** One run of a target, as much of it as a trend reads. */
export interface TrendRun {
  version: number;
  status: string;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  costUsd: number;
}

export interface VersionFigures {
  version: number;
  runs: number;
  /** The mean cost of its runs; null when it has none. */
  costUsdAvg: number | null;
  /** Wall time of its completed runs; null when none completed. */
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface DayCount {
  /** YYYY-MM-DD, UTC. */
  day: string;
  runs: number;
  failed: number;
}

export const TREND_DAYS = 30;
const DAY_MS = 86_400_000;
const FAILED = new Set(['failed', 'timed_out']);

/** Nearest rank: the smallest value with at least a fraction q of the values at or below it. */
export function nearestRank(values: number[], q: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

function wallMs(r: TrendRun): number | undefined {
  if (r.status !== 'completed' || !r.startedAt || !r.endedAt) return undefined;
  return Date.parse(r.endedAt) - Date.parse(r.startedAt);
}

/** Each version's figures, in the order given (a version without runs shows zero runs). */
export function versionFigures(versions: number[], runs: TrendRun[]): VersionFigures[] {
  return versions.map((version) => {
    const mine = runs.filter((r) => r.version === version);
    const walls = mine.map(wallMs).filter((ms): ms is number => ms !== undefined);
    return {
      version,
      runs: mine.length,
      costUsdAvg: mine.length ? mine.reduce((sum, r) => sum + Number(r.costUsd), 0) / mine.length : null,
      p50Ms: nearestRank(walls, 0.5),
      p95Ms: nearestRank(walls, 0.95),
    };
  });
}

/** The first day of the window that ends today (UTC), as an ISO instant. */
export function trendSince(now: Date, days = TREND_DAYS): string {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (days - 1) * DAY_MS).toISOString();
}

/** Runs and failures on each day of the window, oldest first; a day without runs counts zero. */
export function runsPerDay(runs: TrendRun[], now: Date, days = TREND_DAYS): DayCount[] {
  const first = Date.parse(trendSince(now, days));
  const counts = Array.from({ length: days }, (_, i) => ({
    day: new Date(first + i * DAY_MS).toISOString().slice(0, 10),
    runs: 0,
    failed: 0,
  }));
  const byDay = new Map(counts.map((c) => [c.day, c]));
  for (const r of runs) {
    const c = byDay.get(r.createdAt.slice(0, 10));
    if (!c) continue;
    c.runs++;
    if (FAILED.has(r.status)) c.failed++;
  }
  return counts;
}

/** An eval's mean per metric, from its outputs (`{ aggregates: { metric: { mean } } }`); empty until it ends. */
export function evalScores(outputs: unknown): Record<string, number> {
  const aggregates = (outputs as { aggregates?: Record<string, { mean?: unknown }> } | null)?.aggregates ?? {};
  return Object.fromEntries(
    Object.entries(aggregates)
      .filter(([, a]) => typeof a?.mean === 'number')
      .map(([k, a]) => [k, a.mean as number]),
  );
}

/** This eval's mean minus the previous one's, on each metric both scored. */
export function scoreDeltas(current: Record<string, number>, previous: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(current)
      .filter((k) => k in previous)
      .map((k) => [k, current[k]! - previous[k]!]),
  );
}
