// A restart of the Temporal dev server (persisted DB) and of the backend mid-run: the run completes intact.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startDevServer, type DevServer } from '../../temporal/dev-server.js';
import { echoModel, promptOp } from '../helpers/echo-model.js';
import { freshStore, type TestStore } from '../helpers/db.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/processes.js';
import { agentModel } from '../helpers/agent-model.js';
import { makeWorkspace, seedAgent, waitForStatus } from '../helpers/agent-setup.js';
import { seedDiamond, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeRequest } from '../fakes/script.js';

describe('Temporal dev server and backend restarts (postgres)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-restart-'));
  let temporal: DevServer | undefined;
  let stack: TestStack | undefined;
  let db: TestStore | undefined;
  let fake: FakeProvider | undefined;
  let release: () => void = () => {};
  let hold = true;

  afterAll(async () => {
    release();
    await stack?.close();
    await temporal?.stop();
    await fake?.close();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('completes with its rows and events intact', async () => {
    const ports = { port: await freePort(), uiPort: await freePort() };
    const serverOptions = {
      cliPath: inject('temporalCli'),
      dbFile: path.join(dir, 'temporal.db'),
      ...ports,
      logFile: path.join(dir, 'temporal.log'),
    };
    temporal = await startDevServer(serverOptions);
    db = await freshStore('postgres');
    fake = await startFakeProvider('openai', async (req: FakeRequest) => {
      if (promptOp(req) === 'reverse' && hold) {
        hold = false;
        await new Promise<void>((r) => (release = r));
      }
      return echoModel(req);
    });
    const taskQueue = `tq-restart-${Date.now()}`;
    const projectDir = path.join(dir, 'project');
    const open = () =>
      startTestStack({ script: echoModel, db, fake, dir: projectDir, taskQueue, address: temporal!.address });
    stack = await open();
    await seedDiamond(stack);
    const { body: run } = await stack.api('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'restart' } });
    // Take Temporal down once `up` has completed (recorded) and `rev` is at the provider.
    const upDone = async () =>
      ((await stack!.api('GET', `/api/runs/${run.id}/events`)).body.events as Array<{ type: string; data: any }>).some(
        (e) => e.type === 'step.completed' && e.data.stepId === 'up',
      );
    await until(
      async () => fake!.requests.some((r) => promptOp(r) === 'reverse') && (await upDone()),
      'up completed, rev in flight',
    );

    // Take everything down while the step is in flight, then bring it back.
    await temporal.stop('SIGKILL');
    release();
    await stack.close();
    temporal = await startDevServer(serverOptions);
    stack = await open();

    const done = await waitForRun(stack, run.id, 120_000);
    expect(done.status).toBe('completed');
    expect(done.outputs).toEqual({ combined: 'RESTART|tratser' });
    const { body } = await stack.api('GET', `/api/runs/${run.id}/events`);
    const seqs = body.events.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual(Array.from({ length: done.lastSeq }, (_, i) => i + 1));
    expect(body.events.filter((e: { type: string }) => e.type === 'run.started')).toHaveLength(1);
    expect(
      body.events
        .filter((e: { type: string }) => e.type === 'step.completed')
        .map((e: any) => e.data.stepId)
        .sort(),
    ).toEqual(['both', 'rev', 'up']);
    expect(fake.requests.filter((r) => promptOp(r) === 'upper')).toHaveLength(1);
    // An attempt may have finished while Temporal was down; the one completion names what was used.
    const revResponses = body.events.filter((e: any) => e.type === 'llm.response' && e.data.stepId === 'rev');
    const revCompleted = body.events.find((e: any) => e.type === 'step.completed' && e.data.stepId === 'rev');
    expect(revCompleted.data.outputs).toEqual(revResponses.at(-1).data.outputs);
    const history = await stack.api('GET', `/api/runs/${run.id}/history`);
    expect(history.status).toBe(200);
    expect(history.status).toBe(200);
    expect(history.body.events.length).toBeGreaterThan(10);
    expect(history.body.events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
  });

  it('keeps an agent waiting for approval across a Temporal and a backend restart', async () => {
    await stack?.close();
    stack = undefined;
    await temporal?.stop();
    await db?.drop();
    db = await freshStore('postgres');
    const workspace = makeWorkspace({ 'a.txt': 'x' });
    const agentFake = await startFakeProvider(
      'openai',
      agentModel({
        wait: [{ tool: 'terminal', args: { command: 'echo approved >> out.txt' } }, { finish: { answer: '{{last}}' } }],
      }),
    );
    const taskQueue = `tq-agent-restart-${Date.now()}`;
    const projectDir = path.join(dir, 'agent-project');
    const serverOptions = {
      cliPath: inject('temporalCli'),
      dbFile: path.join(dir, 'temporal-agent.db'),
      port: await freePort(),
      uiPort: await freePort(),
    };
    temporal = await startDevServer(serverOptions);
    const open = () =>
      startTestStack({
        script: echoModel,
        db,
        fake: agentFake,
        dir: projectDir,
        taskQueue,
        address: temporal!.address,
        workspace,
      });
    stack = await open();
    await seedAgent(stack, { rules: [] });
    const { body } = await stack.api('POST', '/api/components/helper/runs', { inputs: { task: 'wait' } });
    await waitForStatus(stack, body.id, 'waiting_approval');

    await stack.close();
    await temporal.stop('SIGKILL');
    temporal = await startDevServer(serverOptions);
    stack = await open();

    expect((await stack.api('GET', `/api/runs/${body.id}`)).body.status).toBe('waiting_approval');
    const approved = await stack.api('POST', `/api/runs/${body.id}/approvals/tool[0]`, { decision: 'approve' });
    expect(approved.status).toBe(200);
    const run = await waitForRun(stack, body.id, 60_000);
    expect(run.status).toBe('completed');
    expect(fs.readFileSync(path.join(workspace, 'out.txt'), 'utf8')).toBe('approved\n');
    await agentFake.close();
  });
});
