// Lay out a pipeline's steps as a DAG: each step one column right of its deepest dependency.
import { parseRef } from '../../../core/pipeline-plan';

export interface DagNode {
  id: string;
  component: string;
  level: number;
  row: number;
  deps: string[];
}

export function layoutDag(
  steps: Array<{ id: string; component: string; inputs?: Record<string, unknown>; foreach?: string; when?: string }>,
): DagNode[] {
  const deps = new Map(
    steps.map((s) => {
      const refs = [...Object.values(s.inputs ?? {}), s.foreach, s.when]
        .map(parseRef)
        .flatMap((r) => (r?.kind === 'step' ? [r.step] : []));
      return [s.id, [...new Set(refs)].filter((d) => steps.some((x) => x.id === d))];
    }),
  );
  const level = new Map<string, number>();
  const depth = (id: string, seen = new Set<string>()): number => {
    if (level.has(id)) return level.get(id)!;
    if (seen.has(id)) return 0;
    seen.add(id);
    const l = Math.max(-1, ...(deps.get(id) ?? []).map((d) => depth(d, seen))) + 1;
    level.set(id, l);
    return l;
  };
  const rows = new Map<number, number>();
  return steps.map((s) => {
    const l = depth(s.id);
    const row = rows.get(l) ?? 0;
    rows.set(l, row + 1);
    return { id: s.id, component: s.component, level: l, row, deps: deps.get(s.id) ?? [] };
  });
}
