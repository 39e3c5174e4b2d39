// The runs list's origin filter takes every run id the harness makes, composed ones included (an optimizer's
// candidate eval's example runs: `run_<22>-candidate-ex_<22>`), and nothing else.
import { describe, expect, it } from 'vitest';
import { exampleRunId, LONGEST_RUN_ID, trialEvalRunId } from '../../core/run-story/ids.js';
import { newId } from '../../core/ids.js';
import { runListQuery } from '../../core/specs.js';

const origin = (o: string) => runListQuery.safeParse({ origin: o }).success;

describe('the origin filter', () => {
  it('takes a composed run id of the longest kind', () => {
    const id = exampleRunId(trialEvalRunId(newId('run'), 'candidate'), newId('ex'));
    expect(id.length).toBe(LONGEST_RUN_ID);
    expect(origin(`eval:${id}`)).toBe(true);
    expect(origin(`fork:${exampleRunId(newId('run'), newId('ex'))}`)).toBe(true);
  });

  it('refuses what is no run id', () => {
    expect(origin(`eval:${'run_' + 'a'.repeat(LONGEST_RUN_ID)}`)).toBe(false);
    expect(origin('eval:run_a b')).toBe(false);
    expect(origin('eval:job_0123456789')).toBe(false);
  });
});
