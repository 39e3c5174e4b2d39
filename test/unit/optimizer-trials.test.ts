// The search panel's fold of a run's events: trial rows, the best so far, and the proposals as they stand.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../core/run-story/events.js';
import { searchView } from '../../web/src/lib/optimizer-trials.js';

let seq = 0;
const completed = (stepId: string, outputs: Record<string, unknown>) =>
  ({ runId: 'r', seq: ++seq, time: '', type: 'step.completed', data: { stepId, outputs } }) as RunEvent;
const failed = (stepId: string) =>
  ({ runId: 'r', seq: ++seq, time: '', type: 'step.failed', data: { stepId, error: 'no field' } }) as RunEvent;

describe('the search panel', () => {
  it("folds MIPROv2's trials, keeping the best minibatch score so far, and its instructions with the current first", () => {
    const v = searchView(
      [
        completed('propose[1]', { proposed_instruction: 'Answer in upper case.' }),
        failed('propose[2]'),
        completed('propose[3]', { proposed_instruction: '  ' }),
        completed('trial:1', { instruction: 1, demoSet: 0, score: 0.5, examples: 4 }),
        completed('trial:2', { instruction: 0, demoSet: 1, score: 0.25, examples: 4 }),
        completed('trial:3', { instruction: 1, demoSet: 1, score: 1, examples: 4 }),
      ],
      'Answer.',
    );
    expect(v.rows.map((r) => [r.n, r.tried, r.score])).toEqual([
      [1, 'instruction 1 × demo set 0', 0.5],
      [2, 'instruction 0 × demo set 1', 0.25],
      [3, 'instruction 1 × demo set 1', 1],
    ]);
    expect(v.best).toEqual([0.5, 0.5, 1]);
    // A failed or empty proposal leaves the current instruction in its slot, and says so.
    expect(v.proposals).toEqual([
      { index: 0, instruction: 'Answer.' },
      { index: 1, instruction: 'Answer in upper case.' },
      { index: 2, instruction: 'Answer.', failed: true },
      { index: 3, instruction: 'Answer.', failed: true },
    ]);
  });

  it("folds GEPA's iterations: the best so far counts accepted candidates' dev scores only", () => {
    const v = searchView(
      [
        completed('trial:1', { parent: 0, old: 0.3, new: 0.6, accepted: false, instruction: 'A' }),
        completed('trial:2', { parent: 0, old: 0.3, new: 1, accepted: true, candidate: 1, val: 0.9, instruction: 'B' }),
        completed('trial:3', { parent: 1, old: 1, skipped: 'perfect on the minibatch' }),
      ],
      'Seed.',
    );
    expect(v.rows.map((r) => r.verdict)).toEqual([
      'rejected: no better',
      'accepted as candidate 1, 0.900 on dev',
      'skipped: perfect on the minibatch',
    ]);
    expect(v.best).toEqual([null, 0.9, 0.9]);
    expect(v.proposals).toEqual([{ index: 1, instruction: 'B', parent: 0, dev: 0.9 }]);
  });
});
