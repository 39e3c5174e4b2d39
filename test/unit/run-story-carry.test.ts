// The carry rules: which decided events ride with which later write, and in what order they are written.
import { describe, expect, it } from 'vitest';
import * as carry from '../../core/run-story/carry.js';
import { runCompleted, runStarted, stepCompleted, stepStarted } from '../../core/run-story/events.js';

const keys = (c: carry.Carried) => c.events.map((e) => e.key);
const diamond = [
  { id: 'a', deps: [] },
  { id: 'b', deps: ['a'] },
  { id: 'c', deps: ['a'] },
  { id: 'd', deps: ['b', 'c'] },
];

describe('carry rules', () => {
  it('the run start rides only when one step starts the plan', () => {
    expect(carry.startMayRide(diamond)).toBe(true);
    expect(carry.startMayRide([{ deps: [] }, { deps: [] }])).toBe(false);
    expect(carry.startMayRide([])).toBe(false);
  });

  it('a completion rides with the one step it made ready, with the end after the last step, else nowhere', () => {
    expect(carry.completionRide(diamond, new Set(['a']), 'a')).toBeUndefined();
    expect(carry.completionRide(diamond, new Set(['a', 'b']), 'b')).toBeUndefined();
    expect(carry.completionRide(diamond, new Set(['a', 'b', 'c']), 'c')).toEqual({ with: 'step', stepId: 'd' });
    expect(carry.completionRide(diamond, new Set(['a', 'b', 'c', 'd']), 'd')).toEqual({ with: 'end' });
    expect(carry.completionRide(diamond.slice(0, 2), new Set(['a']), 'a')).toEqual({ with: 'step', stepId: 'b' });
  });

  it("a write takes the run's carried events, then its step's; a failed write hands them back in front", () => {
    const c = carry.emptyCarry();
    carry.carryStart(c, {
      events: [runStarted({ kind: 'pipeline', target: {}, inputs: {} })],
      patch: { status: 'running' },
    });
    carry.carryCompletion(c, { with: 'step', stepId: 'b' }, stepCompleted({ stepId: 'a', outputs: {} }));
    expect(keys(carry.take(c, 'x'))).toEqual(['run.started']);
    carry.handBack(c, {
      events: [runStarted({ kind: 'pipeline', target: {}, inputs: {} })],
      patch: { status: 'running' },
    });
    const taken = carry.take(c, 'b');
    expect(keys(taken)).toEqual(['run.started', 'step:a:completed']);
    expect(taken.patch).toEqual({ status: 'running' });
    expect(carry.take(c, 'b')).toEqual({ events: [], patch: undefined });
    carry.handBack(c, taken);
    carry.carryCompletion(c, { with: 'end' }, stepCompleted({ stepId: 'b', outputs: {} }));
    expect(keys(carry.take(c))).toEqual(['run.started', 'step:a:completed', 'step:b:completed']);
  });

  it("what waited for a step that never wrote goes with the run's end", () => {
    const c = carry.emptyCarry();
    carry.carryCompletion(c, { with: 'step', stepId: 'b' }, stepCompleted({ stepId: 'a', outputs: {} }));
    carry.unbind(c);
    expect(keys(carry.take(c, 'b'))).toEqual(['step:a:completed']);
  });

  it('two status moves are two writes, in order; otherwise one', () => {
    const started = {
      events: [runStarted({ kind: 'pipeline', target: {}, inputs: {} })],
      patch: { status: 'running' as const },
    };
    const end = { events: [runCompleted({ outputs: {} })], patch: { status: 'completed' as const, outputs: {} } };
    expect(carry.writesAfter(started, end)).toEqual([started, end]);
    expect(carry.writesAfter({ events: started.events }, end)).toEqual([
      { events: [...started.events, ...end.events], patch: end.patch },
    ]);
    expect(carry.writesAfter(started, { events: end.events })).toEqual([
      { events: [...started.events, ...end.events], patch: started.patch },
    ]);
  });

  it("an activity's input carries it under the field names of tasks already scheduled", () => {
    const c = { events: [stepStarted({ stepId: 'a' })], patch: { status: 'running' as const } };
    expect(carry.carriedInput(c)).toEqual({ carried: c.events, carriedPatch: c.patch });
    expect(carry.carriedInput({ events: [] })).toEqual({});
    expect(carry.carriedOf(carry.carriedInput(c))).toEqual(c);
    expect(keys(carry.followedBy(c, [stepCompleted({ stepId: 'a', outputs: {} })]))).toEqual([
      'step:a:started',
      'step:a:completed',
    ]);
    expect(carry.followedBy(undefined, [])).toEqual({ events: [], patch: undefined });
  });
});
