import { describe, expect, it } from 'vitest';
import { nestForks, treeRows, type ForkNode } from '../../web/src/lib/forks.js';

describe('forks in the views', () => {
  it('puts each fork under its parent, oldest first, and leaves orphans where they are', () => {
    // Newest first, as the API lists runs.
    const runs = [
      { id: 'r5', forkOf: { runId: 'r1', step: 'c' } },
      { id: 'r4', forkOf: { runId: 'r2', step: 'a' } },
      { id: 'r3', forkOf: { runId: 'r1', step: 'b' } },
      { id: 'r2', forkOf: { runId: 'r0', step: 'x' } },
      { id: 'r1', forkOf: null },
    ];
    expect(nestForks(runs).map((r) => `${'-'.repeat(r.depth)}${r.run.id}`)).toEqual(['r2', '-r4', 'r1', '-r3', '-r5']);
  });

  it('flattens a fork tree depth first with each parent', () => {
    const node = (id: string, children: ForkNode[] = []): ForkNode => ({
      id,
      step: 's',
      status: 'completed',
      createdAt: '',
      children,
    });
    expect(treeRows(node('a', [node('b', [node('c')]), node('d')])).map((r) => [r.node.id, r.depth, r.parent])).toEqual(
      [
        ['a', 0, null],
        ['b', 1, 'a'],
        ['c', 2, 'b'],
        ['d', 1, 'a'],
      ],
    );
  });
});
