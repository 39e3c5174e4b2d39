import { describe, expect, it } from 'vitest';
import {
  agentCallId,
  agentCallOf,
  baseStepId,
  budgetApprovalId,
  itemId,
  judgeCallId,
  kindRef,
  NUMBERED_REF,
  parseKindRef,
  PINNED_REF,
  VERSION_REF,
  parseId,
  printId,
  refName,
  refVersion,
  retryCallId,
  splitRef,
  roundStepId,
  stepIdOf,
  toolCallId,
  toolCallOf,
  turnId,
  turnOf,
  versionRef,
  exampleRunId,
  LONGEST_RUN_ID,
  NEW_ID_BODY_LENGTH,
  teacherRunId,
  trialEvalRunId,
} from '../../core/run-story/ids.js';
import { newId } from '../../core/ids.js';

describe('the id grammar', () => {
  it('parses and prints step ids and indexed ids', () => {
    expect(parseId('join')).toEqual({ base: 'join' });
    expect(parseId('len[2]')).toEqual({ base: 'len', index: 2 });
    expect(parseId('len[x]')).toBeUndefined();
    expect(parseId('1abc')).toBeUndefined();
    for (const id of ['join', 'len[2]', 'turn[10]', 'my-step_1[0]']) expect(printId(parseId(id)!)).toBe(id);
    expect(itemId('len', 2)).toBe('len[2]');
    expect([baseStepId('len[2]'), baseStepId('len'), baseStepId('not an id')]).toEqual(['len', 'len', 'not an id']);
  });

  it('names an agent turn, its model call and its tool call', () => {
    expect([turnId(3), agentCallId(3), toolCallId(3)]).toEqual(['turn[3]', 'agent[3]', 'tool[3]']);
    expect([turnOf('turn[3]'), agentCallOf('agent[4]'), toolCallOf('tool[5]')]).toEqual([3, 4, 5]);
    expect([turnOf('agent[3]'), turnOf('turn'), turnOf(3), agentCallOf(undefined), toolCallOf('tool[x]')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('attributes an event to its step, an agent model call to its turn', () => {
    expect(stepIdOf({ stepId: 'a', callId: 'agent[1]' })).toBe('a');
    expect(stepIdOf({ callId: 'agent[2]' })).toBe('turn[2]');
    expect(stepIdOf({ callId: 'tool[2]' })).toBeUndefined();
    expect(stepIdOf(null)).toBeUndefined();
  });

  it('names app generation rounds, budget approvals and a parse retry', () => {
    expect([roundStepId(0), roundStepId(1)]).toEqual(['draft', 'repair[1]']);
    expect(budgetApprovalId(3)).toBe('budget-3');
    expect(retryCallId('len[2]')).toBe('len[2]#retry');
    expect(judgeCallId('ex_1', 'judge:correct')).toBe('judge:ex_1:judge:correct');
  });

  it('prints and reads component references', () => {
    expect([versionRef('qa', 3), versionRef('qa', 'production'), versionRef('qa')]).toEqual([
      'qa@3',
      'qa@production',
      'qa',
    ]);
    expect([refName('qa@3'), refName('qa'), refName('Bad Name@2')]).toEqual(['qa', 'qa', 'Bad Name']);
    expect([kindRef('pipeline', 'qa-chain', 1), kindRef('app', 'qa-app', 2)]).toEqual([
      'pipeline:qa-chain@1',
      'app:qa-app@2',
    ]);
    expect([splitRef('qa@3'), splitRef('qa'), splitRef('ds@x@y')]).toEqual([
      { name: 'qa', at: '3' },
      { name: 'qa' },
      { name: 'ds', at: 'x@y' },
    ]);
    expect([refVersion('qa@3'), refVersion('qa@prod'), refVersion('qa')]).toEqual([3, undefined, undefined]);
  });

  it('matches the reference grammars: any, numbered only, pinned only, with a kind', () => {
    const refs = ['qa', 'qa@3', 'qa@prod', 'Qa', 'qa@', '1qa@3'];
    expect(refs.filter((r) => VERSION_REF.test(r))).toEqual(['qa', 'qa@3', 'qa@prod']);
    expect(refs.filter((r) => NUMBERED_REF.test(r))).toEqual(['qa', 'qa@3']);
    expect(refs.filter((r) => PINNED_REF.test(r))).toEqual(['qa@3']);
    expect([
      parseKindRef('app:qa-app@2'),
      parseKindRef('pipeline:qa'),
      parseKindRef('app:qa@x'),
      parseKindRef('qa@2'),
    ]).toEqual([{ kind: 'app', name: 'qa-app', version: 2 }, { kind: 'pipeline', name: 'qa' }, undefined, undefined]);
  });
});

describe('composed run ids', () => {
  it('names child runs after their parent, and knows the longest one (the width of run id columns)', () => {
    const [run, ex] = [newId('run'), newId('ex')];
    expect([run.length, ex.length]).toEqual([4 + NEW_ID_BODY_LENGTH, 3 + NEW_ID_BODY_LENGTH]);
    expect(exampleRunId(run, ex)).toBe(`${run}-${ex}`);
    expect(teacherRunId(run, ex)).toBe(`${run}-teacher-${ex}`);
    expect(trialEvalRunId(run, 'after')).toBe(`${run}-after`);
    const candidateExample = exampleRunId(trialEvalRunId(run, 'candidate'), ex);
    expect(candidateExample.length).toBe(62);
    expect(LONGEST_RUN_ID).toBe(candidateExample.length);
  });
});
