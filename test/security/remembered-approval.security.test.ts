// "Approve for this run" (issue 29): the tool runs a call as approved when the shape a person approved
// travels with it. A hostile agent (or a forged shape) must not stretch that approval: the re-check
// derives the call's shape itself, and a remembered shape never lifts a denial.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeToolCall } from '../../judge/index.js';
import { policySpec, type ToolCall } from '../../core/policy.js';
import { toolRunner, type ToolRunner } from '../helpers/tool-runner.js';

describe('an approval remembered for the run', () => {
  let t: ToolRunner;
  const shapeOf = async (call: ToolCall) =>
    (
      await judgeToolCall(
        policySpec.parse(JSON.parse(fs.readFileSync(path.join(t.project, 'policy.json'), 'utf8'))),
        call,
        t.tools,
      )
    ).shape;
  const refused = (p: Promise<unknown>) =>
    p.then(
      (r) => `ran: ${JSON.stringify(r)}`,
      (e: Error) => e.message,
    );

  beforeAll(() => {
    t = toolRunner();
    // The default: terminal commands and writes ask.
    t.setPolicy({ rules: [{ tool: 'filesystem', action: 'deny', match: { path: 'secrets/**' } }] });
  });
  afterAll(() => fs.rmSync(t.ws, { recursive: true, force: true }));

  it('covers a call of that shape only: `ls` approved does not run `ls; touch pwned`', async () => {
    const ls: ToolCall = { tool: 'terminal', args: { command: 'ls' } };
    const smuggled: ToolCall = { tool: 'terminal', args: { command: 'ls; touch pwned' } };
    expect(await refused(t.run(smuggled, false, await shapeOf(ls)))).toMatch(/refused right before running/);
    expect(fs.existsSync(path.join(t.ws, 'pwned'))).toBe(false);
  });

  it('covers writes in the approved folder only', async () => {
    const write = (p: string): ToolCall => ({ tool: 'filesystem', args: { op: 'write', path: p, content: 'x' } });
    const approved = await shapeOf(write('notes/a.txt'));
    expect(await refused(t.run(write('elsewhere.txt'), false, approved))).toMatch(/refused right before running/);
    expect(fs.existsSync(path.join(t.ws, 'elsewhere.txt'))).toBe(false);
  });

  it("never lifts a denial, even with the denied call's own shape forged as remembered", async () => {
    const denied: ToolCall = { tool: 'filesystem', args: { op: 'write', path: 'secrets/key.txt', content: 'x' } };
    expect(await refused(t.run(denied, false, await shapeOf(denied)))).toMatch(/refused right before running/);
    const harness: ToolCall = { tool: 'filesystem', args: { op: 'read', path: '.vloop/token' } };
    expect(await refused(t.run(harness, false, await shapeOf(harness)))).toMatch(
      /refused right before running|harness-dir/,
    );
    expect(fs.existsSync(path.join(t.ws, 'secrets', 'key.txt'))).toBe(false);
  });
});
