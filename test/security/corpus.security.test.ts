// The escape corpus (test/security/corpus.json): hundreds of attempts on every tool, judged through
// the real judgeToolCall under broad allow rules in a real workspace holding .vloop and .git. None may
// be allowed; each gets its expected decision (deny where the boundary is built in, ask where the
// judge cannot know).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolCall } from '../../core/policy.js';
import { judgeWorkspace, type JudgeWorkspace } from './judge-workspace.js';

interface Attempt {
  id: string;
  class: string;
  call: ToolCall;
  expect: 'deny' | 'ask';
  why: string;
}

const corpus = JSON.parse(fs.readFileSync(new URL('./corpus.json', import.meta.url), 'utf8')) as Attempt[];

let ws: JudgeWorkspace;
beforeAll(() => {
  ws = judgeWorkspace();
});
afterAll(() => ws?.close());

/** The call with the workspace and the listeners' ports put in place of %WS%, %API% … */
function concrete(call: ToolCall): ToolCall {
  const text = JSON.stringify(call)
    .replaceAll('%WS%', ws.workspace.replace(/^\//, ''))
    .replaceAll('%API%', String(ws.ports.api))
    .replaceAll('%APPS%', String(ws.ports.apps))
    .replaceAll('%TEMPORAL_UI%', String(ws.ports.temporalUi))
    .replaceAll('%TEMPORAL%', String(ws.ports.temporal));
  return JSON.parse(text) as ToolCall;
}

describe('the escape corpus under broad allow rules', () => {
  it('holds at least 250 distinct attempts across the classes', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(250);
    expect(new Set(corpus.map((a) => a.id)).size).toBe(corpus.length);
    expect(new Set(corpus.map((a) => a.class)).size).toBeGreaterThanOrEqual(6);
  });
  it.each(corpus.map((a) => [a.id, a] as const))('%s', async (_id, attempt) => {
    const decision = await ws.judge(concrete(attempt.call));
    expect(decision.decision, `${JSON.stringify(attempt.call)}: ${decision.rule} ${decision.reason}`).not.toBe('allow');
    expect(decision.decision, `${JSON.stringify(attempt.call)}: ${decision.rule} ${decision.reason}`).toBe(
      attempt.expect,
    );
  });
});
