import { describe, expect, it } from 'vitest';
import { compareRuns, type RunSide } from '../../core/run-diff.js';
import type { RunEvent } from '../../core/run-story/events.js';
import { align, jsonDiff, wordDiff } from '../../core/sequence-diff.js';

const side = (
  id: string,
  kind: string,
  events: RunSide['events'],
  outputs: Record<string, unknown> | null = null,
): RunSide => ({
  id,
  kind,
  status: 'completed',
  inputs: {},
  outputs,
  usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  events,
});
let seq = 0;
const ev = (type: string, data: Record<string, unknown>) =>
  ({ runId: 'r', seq: ++seq, type, data, time: new Date(1_700_000_000_000 + seq).toISOString() }) as RunEvent;

describe('sequence diffs', () => {
  it('aligns by key with removals before additions, and diffs words that join back into each text', () => {
    expect(align(['a', 'b', 'c'], ['a', 'x', 'c'], (s) => s).map((p) => `${p.a ?? '-'}${p.b ?? '-'}`)).toEqual([
      'aa',
      'b-',
      '-x',
      'cc',
    ]);
    const ops = wordDiff('the quick fox', 'the slow fox');
    expect(ops).toEqual([
      { op: 'same', text: 'the ' },
      { op: 'removed', text: 'quick ' },
      { op: 'added', text: 'slow ' },
      { op: 'same', text: 'fox' },
    ]);
    expect(
      ops
        .filter((o) => o.op !== 'added')
        .map((o) => o.text)
        .join(''),
    ).toBe('the quick fox');
  });

  it('reports one change per differing leaf of a JSON value', () => {
    expect(jsonDiff({ a: 1, b: [1, 2], c: 'x' }, { a: 1, b: [1, 3, 4], d: true })).toEqual([
      { path: 'b[1]', op: 'changed', a: 2, b: 3 },
      { path: 'b[2]', op: 'added', b: 4 },
      { path: 'c', op: 'removed', a: 'x' },
      { path: 'd', op: 'added', b: true },
    ]);
  });
});

describe('comparing runs', () => {
  it('names the first step that differs and counts what a reused step saved', () => {
    const call = (stepId: string, tokens: number) =>
      ev('llm.response', { stepId, usage: { inputTokens: tokens, outputTokens: 0 }, costUsd: 0, latencyMs: 5 });
    const a = side('a', 'pipeline', [
      call('s1', 10),
      ev('step.completed', { stepId: 's1', outputs: { r: 'x' } }),
      call('s2', 10),
      ev('step.completed', { stepId: 's2', outputs: { r: 'old words' } }),
    ]);
    const b = side('b', 'pipeline', [
      ev('step.reused', { stepId: 's1', source: { runId: 'a', stepId: 's1' } }),
      ev('step.completed', { stepId: 's1', outputs: { r: 'x' }, reused: true }),
      call('s2', 12),
      ev('step.completed', { stepId: 's2', outputs: { r: 'new words' } }),
    ]);
    const d = compareRuns(a, b);
    expect(d.firstDivergence).toBe('s2');
    expect(d.steps.map((s) => [s.key, s.same, s.delta.tokens])).toEqual([
      ['s1', true, -10],
      ['s2', false, 2],
    ]);
    expect(d.steps[1]!.outputs[0]!.words).toEqual([
      { op: 'removed', text: 'old ' },
      { op: 'added', text: 'new ' },
      { op: 'same', text: 'words' },
    ]);
  });

  it('aligns agent turns by their tool calls, so an inserted turn does not shift the rest', () => {
    const turn = (i: number, tool: string, arg: string) =>
      ev('step.completed', {
        stepId: `turn[${i}]`,
        outputs: { thought: '', call: { tool, args: { arg } }, observation: 'ok' },
      });
    const a = side('a', 'agent', [turn(0, 'read', 'x'), turn(1, 'write', 'y')], { answer: 1 });
    const b = side('b', 'agent', [turn(0, 'read', 'x'), turn(1, 'list', 'z'), turn(2, 'write', 'y')], { answer: 1 });
    const d = compareRuns(a, b);
    expect(d.steps.map((s) => [s.a?.stepId ?? null, s.b?.stepId ?? null])).toEqual([
      ['turn[0]', 'turn[0]'],
      [null, 'turn[1]'],
      ['turn[1]', 'turn[2]'],
    ]);
    expect(d.firstDivergence).toBe('turn[1]');
  });
  it("an agent's finishing turn is completed by the run's end and answers its outputs; a reused foreach item is not a reused step", () => {
    const turn = (i: number) =>
      ev('step.completed', {
        stepId: `turn[${i}]`,
        outputs: { thought: '', call: { tool: 'read', args: {} }, observation: 'ok' },
      });
    const answer = (i: number, tokens: number) =>
      ev('llm.response', {
        callId: `agent[${i}]`,
        usage: { inputTokens: tokens, outputTokens: 1 },
        costUsd: 0,
        latencyMs: 1,
        attempt: 1,
      });
    const a = side(
      'a',
      'agent',
      [answer(0, 10), turn(0), answer(1, 20), ev('run.completed', { outputs: { answer: 1 } })],
      { answer: 1 },
    );
    const b = side(
      'b',
      'agent',
      [answer(0, 10), turn(0), answer(1, 25), ev('run.completed', { outputs: { answer: 2 } })],
      { answer: 2 },
    );
    const d = compareRuns(a, b);
    expect(d.steps.map((s) => [s.key, s.b?.status, s.b?.outputs, s.delta.tokens])).toEqual([
      ['turn[0]', 'completed', { thought: '', call: { tool: 'read', args: {} }, observation: 'ok' }, 0],
      ['turn[1]', 'completed', { finish: { answer: 2 } }, 5],
    ]);
    expect(d.firstDivergence).toBe('turn[1]');
    const items = side('c', 'pipeline', [
      ev('step.reused', { stepId: 'len', source: { runId: 'a', stepId: 'len' }, items: [0, 1] }),
      ev('step.completed', { stepId: 'len', outputs: [] }),
    ]);
    expect(compareRuns(items, items).steps[0]!.b).toMatchObject({ status: 'completed' });
    expect(compareRuns(items, items).steps[0]!.b!.reused).toBeUndefined();
  });
});
