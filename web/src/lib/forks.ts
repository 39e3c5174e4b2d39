// Forks for the views: a runs page with each fork under its parent, a fork tree as indented rows.
// Pure, unit-tested.
import type { ForkNode } from '../../../core/fork.js';

export type { ForkNode };

export interface ForkLink {
  id: string;
  forkOf?: { runId: string; step: string } | null;
}

/** Runs in their order, except that a fork whose parent is on the page follows it (depth 1, 2, …). */
export function nestForks<T extends ForkLink>(runs: T[]): Array<{ run: T; depth: number }> {
  const ids = new Set(runs.map((r) => r.id));
  const children = new Map<string, T[]>();
  for (const r of runs)
    if (r.forkOf && ids.has(r.forkOf.runId)) children.set(r.forkOf.runId, [...(children.get(r.forkOf.runId) ?? []), r]);
  const out: Array<{ run: T; depth: number }> = [];
  const seen = new Set<string>();
  const add = (r: T, depth: number) => {
    if (seen.has(r.id)) return;
    seen.add(r.id);
    out.push({ run: r, depth });
    // Oldest fork first under its parent, as they were made.
    for (const c of [...(children.get(r.id) ?? [])].reverse()) add(c, depth + 1);
  };
  for (const r of runs) if (!r.forkOf || !ids.has(r.forkOf.runId)) add(r, 0);
  for (const r of runs) add(r, 0);
  return out;
}

/** A fork tree as rows, depth first, each with its parent (to compare against). */
export function treeRows(root: ForkNode): Array<{ node: ForkNode; depth: number; parent: string | null }> {
  const rows: Array<{ node: ForkNode; depth: number; parent: string | null }> = [];
  const walk = (n: ForkNode, depth: number, parent: string | null) => {
    rows.push({ node: n, depth, parent });
    for (const c of n.children) walk(c, depth + 1, n.id);
  };
  walk(root, 0, null);
  return rows;
}
