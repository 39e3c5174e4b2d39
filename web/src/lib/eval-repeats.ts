// Repeats of the same eval (same target version, dataset, split and metrics) grouped, with the spread
// of their means: a scientist reads a difference against the noise between repeats.
import { versionRef } from '../../../core/run-story/ids.js';

export interface EvalRunLike {
  id: string;
  status: string;
  target: { name: string; version: number };
  inputs: { dataset?: string; split?: string };
  outputs: { aggregates?: Record<string, { mean: number }> } | null;
}

export interface RepeatGroup<R extends EvalRunLike> {
  key: string;
  runs: R[];
  /** Per metric, over the completed repeats: the mean of their means, the sample standard deviation, how many. */
  spread: Record<string, { mean: number; sd: number; n: number }>;
}

const groupKey = (r: EvalRunLike) =>
  `${versionRef(r.target.name, r.target.version)} · ${r.inputs.dataset ?? '?'} · ${r.inputs.split ?? '?'} · ${Object.keys(
    r.outputs?.aggregates ?? {},
  )
    .sort()
    .join(', ')}`;

/** Groups in the order of their newest run (runs come newest first); a run without results yet has no metrics, so it sits in a group of its own until it has. */
export function groupRepeats<R extends EvalRunLike>(runs: R[]): Array<RepeatGroup<R>> {
  const groups = new Map<string, R[]>();
  for (const r of runs) groups.set(groupKey(r), [...(groups.get(groupKey(r)) ?? []), r]);
  return [...groups].map(([key, members]) => {
    const done = members.filter((r) => r.status === 'completed' && r.outputs?.aggregates);
    const metrics = [...new Set(done.flatMap((r) => Object.keys(r.outputs!.aggregates!)))];
    const spread = Object.fromEntries(
      metrics.map((k) => {
        const means = done.map((r) => r.outputs!.aggregates![k]?.mean).filter((m): m is number => m !== undefined);
        const mean = means.reduce((a, b) => a + b, 0) / means.length;
        const sd =
          means.length > 1 ? Math.sqrt(means.reduce((a, m) => a + (m - mean) ** 2, 0) / (means.length - 1)) : 0;
        return [k, { mean, sd, n: means.length }];
      }),
    );
    return { key, runs: members, spread };
  });
}
