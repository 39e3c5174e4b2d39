// Scale-out: the API in this process, two `harness worker` processes, PostgreSQL, one Temporal. Runs
// spread over both workers and survive one being killed; /ws stays live with deltas; an agent's browser
// calls stay on the worker holding its browser, and move to a fresh session when that worker dies.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FakeRequest } from '../fakes/script.js';
import { agentModel } from '../helpers/agent-model.js';
import { eventsOf, makeWorkspace } from '../helpers/agent-setup.js';
import { echoModel, promptOp } from '../helpers/echo-model.js';
import { LONG_POLL_MS } from '../helpers/long-poll.js';
import { spawnHarness, until, type HarnessProcess } from '../helpers/processes.js';
import { seedDiamond, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import { collectFrames, untilEvent } from '../helpers/ws.js';

describe('scale-out: two worker processes on PostgreSQL', () => {
  let stack: TestStack;
  let site: http.Server;
  let port = 0;
  const workers: HarnessProcess[] = [];
  const workspace = makeWorkspace({ 'notes.txt': 'scale\n' });
  let holdReverse = false;
  let holdAgent = false;
  const held: Array<() => void> = [];
  const hold = () => new Promise<void>((resolve) => held.push(resolve));
  const release = () => held.splice(0).forEach((r) => r());

  let browse: (req: FakeRequest) => string;
  const script = async (req: FakeRequest) => {
    if (req.tools) {
      // The model's second step of a held agent waits, so its browser's worker can be killed between the calls.
      if (holdAgent && req.messages.some((m) => m.content.startsWith('Observation: opened'))) await hold();
      return browse(req);
    }
    if (holdReverse && promptOp(req) === 'reverse') await hold();
    return echoModel(req);
  };

  const startWorker = async () => {
    // No workflow cache: every workflow task goes to whichever worker polls first, so runs move between them.
    const p = spawnHarness(['worker'], {
      TEMPORAL_WORKFLOW_CACHE: '0',
      VLOOP_DB_URL: stack.db.url,
      VLOOP_PROJECT_DIR: stack.dir,
      HARNESS_WORKSPACE: workspace,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
    });
    await p.waitFor('worker polling');
    workers.push(p);
    return p;
  };
  /** Which worker process took each activity of a run (Temporal records the worker's identity, pid@host). */
  const activityWorkers = async (runId: string) => {
    const history = await stack.backend.app.temporal.client.workflow.getHandle(runId).fetchHistory();
    const scheduled = new Map<string, string>();
    const out: Array<{ type: string; pid: number }> = [];
    for (const e of history.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(e.eventId), s.activityType!.name!);
      const started = e.activityTaskStartedEventAttributes;
      if (started)
        out.push({
          type: scheduled.get(String(started.scheduledEventId)) ?? '?',
          pid: Number(started.identity!.split('@')[0]),
        });
    }
    return out;
  };

  const runToolPids = (acts: Array<{ type: string; pid: number }>) =>
    acts.filter((a) => a.type === 'runTool').map((a) => a.pid);
  /** The run's runTool activities as scheduled in its history. */
  const scheduledTools = async (runId: string) => {
    const events = (await stack.backend.app.temporal.client.workflow.getHandle(runId).fetchHistory()).events ?? [];
    return events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runTool');
  };
  /** How many of the run's runTool calls no worker took in time (their schedule-to-start timeout). */
  const timedOutTools = async (runId: string) => {
    const events = (await stack.backend.app.temporal.client.workflow.getHandle(runId).fetchHistory()).events ?? [];
    const tools = new Set((await scheduledTools(runId)).map((e) => String(e.eventId)));
    return events.filter((e) => tools.has(String(e.activityTaskTimedOutEventAttributes?.scheduledEventId))).length;
  };
  /** The run completed, `extract` read the page `open` opened (same browser, so same process); and which worker's workflow task scheduled the extract. */
  const expectBrowserCallsTogether = async (runId: string) => {
    const run = await waitForRun(stack, runId, 120_000);
    expect(run).toMatchObject({
      status: 'completed',
      outputs: { answer: expect.stringContaining('Welcome to the scaled site') },
    });
    const tools = runToolPids(await activityWorkers(runId));
    expect(tools).toHaveLength(2);
    expect(tools[1]).toBe(tools[0]);
    const events = (await stack.backend.app.temporal.client.workflow.getHandle(runId).fetchHistory()).events ?? [];
    const extract = (await scheduledTools(runId))[1]!;
    const task = events.find(
      (e) => String(e.eventId) === String(extract.activityTaskScheduledEventAttributes!.workflowTaskCompletedEventId),
    )!;
    return { tools, scheduledBy: Number(task.workflowTaskCompletedEventAttributes!.identity!.split('@')[0]) };
  };

  beforeAll(async () => {
    site = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<title>Home</title><h1>Welcome to the scaled site</h1>');
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    port = (site.address() as AddressInfo).port;
    const plan = [
      { tool: 'browser', args: { op: 'open', url: `http://127.0.0.1:${port}/` } },
      { tool: 'browser', args: { op: 'extract' } },
      { finish: { answer: '{{last}}' } },
    ];
    browse = agentModel({ browse: plan as never });
    stack = await startTestStack({ dialect: 'postgres', script, withWorker: false, workspace });
    await seedDiamond(stack);
    await stack.ok('PUT', '/api/policy', {
      rules: [{ tool: 'browser', action: 'allow', match: { url: '127.0.0.1' } }],
    });
    await stack.ok('POST', '/api/components', {
      name: 'browser-helper',
      kind: 'react',
      signature: 'task: str -> answer: str',
      provider: 'fake',
      tools: ['browser'],
      maxSteps: 4,
    });
    await startWorker();
    await startWorker();
  }, 180_000);
  afterAll(async () => {
    release();
    for (const w of workers) await w.kill();
    await stack?.close();
    site?.close();
  });

  it('spreads runs over both workers, and finishes them all when one is killed mid-run, with deltas on /ws', async () => {
    holdReverse = true;
    const ids: string[] = [];
    for (let i = 0; i < 16; i++)
      ids.push((await stack.ok('POST', '/api/pipelines/diamond/runs', { inputs: { text: `spread${i}` } })).id);
    const frames = collectFrames(stack.backend.url, ids[0]!, 0, untilEvent('run.completed'), 120_000);
    // Every run has reached its held step: kill the first worker with work in flight.
    await until(() => held.length === 16, 'all sixteen runs at their held step', 60_000);
    await workers[0]!.kill('SIGKILL');
    holdReverse = false;
    release();
    for (const id of ids) expect((await waitForRun(stack, id, 120_000)).status).toBe('completed');
    const pids = new Set((await Promise.all(ids.map(activityWorkers))).flat().map((a) => a.pid));
    expect(pids).toContain(workers[0]!.child.pid);
    expect(pids).toContain(workers[1]!.child.pid);
    const got = await frames;
    expect(got.some((f) => f.type === 'delta')).toBe(true);
    await startWorker();
  }, 240_000);

  it("keeps an agent's browser calls on the worker holding its browser, though its workflow tasks move between workers and it stops past the call's start timeout", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++)
      ids.push((await stack.ok('POST', '/api/components/browser-helper/runs', { inputs: { task: 'browse' } })).id);
    for (const id of ids) await expectBrowserCallsTogether(id);
    // A move made certain: the browser's worker is stopped while the model's answer comes back, so the other
    // worker takes the workflow task that schedules the extract; the extract still waits for the browser's worker.
    holdAgent = true;
    const { id } = await stack.ok('POST', '/api/components/browser-helper/runs', { inputs: { task: 'browse' } });
    await until(() => held.length === 1, 'the page opened and the model thinking', 60_000);
    const [opener] = runToolPids(await activityWorkers(id));
    const holder = workers.find((w) => w.child.pid === opener)!;
    holder.child.kill('SIGSTOP');
    // The polls the stopped worker had open would still take tasks (each then lost for a 10 s task timeout, and
    // an agent step's three attempts could all be lost): the model answers only once they have expired.
    const stoppedAt = Date.now();
    try {
      await until(() => Date.now() > stoppedAt + LONG_POLL_MS + 1_000, "the stopped worker's open polls expired");
      holdAgent = false;
      release();
      await until(
        async () => (await scheduledTools(id)).length === 2,
        "the extract scheduled while the browser's worker is stopped",
        90_000,
      );
      // Stopped past the call's schedule-to-start timeout (as under load): the worker is slow, not gone.
      await until(async () => (await timedOutTools(id)) === 1, "the extract's start timeout passed", 60_000);
    } finally {
      holder.child.kill('SIGCONT');
    }
    const { tools, scheduledBy } = await expectBrowserCallsTogether(id);
    expect(tools[0]).toBe(holder.child.pid);
    expect(scheduledBy).not.toBe(holder.child.pid);
    expect(workers.map((w) => w.child.pid)).toContain(scheduledBy);
    // It was asked whether the browser's worker still polled, and the extract went to it again.
    expect((await activityWorkers(id)).some((a) => a.type === 'sessionWorkerPolled')).toBe(true);
    expect(await timedOutTools(id)).toBe(1);
  }, 240_000);

  it('starts a fresh browser session on another worker when the one holding it dies', async () => {
    holdAgent = true;
    const { id } = await stack.ok('POST', '/api/components/browser-helper/runs', { inputs: { task: 'browse' } });
    await until(() => held.length === 1, 'the page opened and the model thinking', 60_000);
    const opened = (await activityWorkers(id)).find((a) => a.type === 'runTool')!;
    const holder = workers.find((w) => w.child.pid === opened.pid)!;
    await holder.kill('SIGKILL');
    holdAgent = false;
    release();
    const run = await waitForRun(stack, id, 120_000);
    expect(run.status).toBe('completed');
    const events = await eventsOf(stack, id);
    expect(
      events.some(
        (e) => e.type === 'log' && String(e.data.message).includes('starts a fresh browser session on another worker'),
      ),
    ).toBe(true);
    const tools = (await activityWorkers(id)).filter((a) => a.type === 'runTool');
    expect(tools.at(-1)!.pid).not.toBe(opened.pid);
    // The fresh session has no page yet: the extract read a blank one, not the site.
    expect(run.outputs.answer).not.toContain('Welcome');
  }, 240_000);
});
