// An agent forked from turn N: the turns before N are taken as they were (their tools never run
// again, counted on disk), the rest run through the policy and approvals, and the diff aligns turns.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentModel } from '../helpers/agent-model.js';
import { eventsOf, makeWorkspace, seedAgent, waitForStatus } from '../helpers/agent-setup.js';
import { startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import type { FakeRequest } from '../fakes/script.js';

describe('agent forks', () => {
  let stack: TestStack;
  let workspace: string;
  const models: string[] = [];
  const lines = () => fs.readFileSync(path.join(workspace, 'count.txt'), 'utf8').trim().split('\n');
  const approveAndFinish = async (runId: string, approvalId: string) => {
    await waitForStatus(stack, runId, 'waiting_approval');
    await stack.ok('POST', `/api/runs/${runId}/approvals/${approvalId}`, { decision: 'approve' });
    const run = await waitForRun(stack, runId);
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
    return run;
  };

  beforeAll(async () => {
    workspace = makeWorkspace({ 'count.txt': '' });
    const model = agentModel({
      count: [
        { tool: 'terminal', args: { command: 'echo t0 >> count.txt' } },
        { tool: 'terminal', args: { command: 'echo t1 >> count.txt' } },
        { tool: 'terminal', args: { command: 'echo t2 >> count.txt' } },
        { finish: { answer: '{{last}}' } },
      ],
    });
    stack = await startTestStack({
      workspace,
      script: (req: FakeRequest) => {
        models.push(req.model);
        return model(req);
      },
    });
    await seedAgent(stack, {
      rules: [
        { id: 'count-file', tool: 'filesystem', action: 'allow', match: { path: 'count.txt' } },
        { id: 'echo-t0', tool: 'terminal', action: 'allow', match: { command: 'echo t0*' } },
        { id: 'echo-t1', tool: 'terminal', action: 'allow', match: { command: 'echo t1*' } },
      ],
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('forked from turn 2: turns 0-1 are not run again, turn 2 asks again and runs once', async () => {
    const { body: source } = await stack.api('POST', '/api/components/helper/runs', { inputs: { task: 'count' } });
    await approveAndFinish(source.id, 'tool[2]');
    expect(lines()).toEqual(['t0', 't1', 't2']);
    const sourceEvents = await eventsOf(stack, source.id);
    expect(sourceEvents.filter((e) => e.type === 'step.completed').map((e) => e.data.stepId)).toEqual([
      'turn[0]',
      'turn[1]',
      'turn[2]',
    ]);

    const calls = models.length;
    const fork = await stack.ok('POST', `/api/runs/${source.id}/fork`, { fromStep: 'turn[2]' });
    expect(fork.forkOf).toEqual({ runId: source.id, step: 'turn[2]' });
    const done = await approveAndFinish(fork.id, 'tool[2]');
    expect(done.outputs.answer).toBe('\n[exit code 0]');
    expect(lines()).toEqual(['t0', 't1', 't2', 't2']);
    expect(models.length - calls).toBe(2); // turn 2 and the finish; turns 0-1 asked nothing

    const events = await eventsOf(stack, fork.id);
    expect(events.filter((e) => e.type === 'step.reused').map((e) => e.data)).toEqual([
      { stepId: 'turn[0]', source: { runId: source.id, stepId: 'turn[0]' } },
      { stepId: 'turn[1]', source: { runId: source.id, stepId: 'turn[1]' } },
    ]);
    expect(events.filter((e) => e.type === 'tool.call').map((e) => e.data.callId)).toEqual(['tool[2]']);
    expect(events.filter((e) => e.type === 'policy.decision').map((e) => e.data.rule)).toEqual([
      'default:terminal-asks',
    ]);
    expect(await eventsOf(stack, source.id)).toEqual(sourceEvents);

    const diff = await stack.ok('GET', `/api/runs/compare?a=${source.id}&b=${fork.id}`);
    expect(diff.steps.map((s: any) => [s.key, s.same])).toEqual([
      ['turn[0]', true],
      ['turn[1]', true],
      ['turn[2]', true],
      ['turn[3]', true], // the finish
    ]);
    expect(diff.steps[0].b.reusedFrom).toEqual({ runId: source.id, stepId: 'turn[0]' });
  });

  it('forked from turn 1 on another model: turn 1 runs again on it, under the policy', async () => {
    const { body: source } = await stack.api('POST', '/api/components/helper/runs', { inputs: { task: 'count' } });
    await approveAndFinish(source.id, 'tool[2]');
    const before = lines().length;
    const calls = models.length;
    const fork = await stack.ok('POST', `/api/runs/${source.id}/fork`, {
      fromStep: 1,
      overrides: { agent: { model: 'other-model' } },
    });
    await approveAndFinish(fork.id, 'tool[2]');
    expect(lines().slice(before)).toEqual(['t1', 't2']);
    expect(models.slice(calls)).toEqual(['other-model', 'other-model', 'other-model']);
    const diff = await stack.ok('GET', `/api/runs/compare?a=${source.id}&b=${fork.id}`);
    expect(diff.config).toEqual([expect.objectContaining({ path: 'model', a: null, b: 'other-model' })]);
  });

  it('refuses a turn the source never took', async () => {
    const { body: source } = await stack.api('POST', '/api/components/helper/runs', { inputs: { task: 'count' } });
    await approveAndFinish(source.id, 'tool[2]');
    const r = await stack.api('POST', `/api/runs/${source.id}/fork`, { fromStep: 'turn[9]' });
    expect(r.status).toBe(400);
    expect(r.body.error.details.problems[0].message).toMatch(/recorded 3 turns/);
    expect((await stack.api('POST', `/api/runs/${source.id}/fork`, { fromStep: 'step-a' })).status).toBe(400);
  });
});
