// SIGKILL of the worker process mid-pipeline: the run completes and no completed step runs again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { echoModel, promptOp } from '../helpers/echo-model.js';
import { dialects } from '../helpers/db.js';
import { spawnHarness, until, type HarnessProcess } from '../helpers/processes.js';
import { seedDiamond, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import type { FakeRequest } from '../fakes/script.js';
import { collectFrames, untilEvent } from '../helpers/ws.js';

describe.each(dialects)('worker SIGKILL mid-run (%s)', (dialect) => {
  let stack: TestStack;
  let worker: HarnessProcess | undefined;
  let releaseHeld: () => void = () => {};
  let holdNextReverse = true;

  const script = async (req: FakeRequest) => {
    if (promptOp(req) === 'reverse' && holdNextReverse) {
      holdNextReverse = false;
      await new Promise<void>((resolve) => (releaseHeld = resolve));
    }
    return echoModel(req);
  };

  const startWorker = async () => {
    const p = spawnHarness(['worker'], {
      VLOOP_DB_URL: dialect === 'sqlite' ? `sqlite:${stack.db.url}` : stack.db.url,
      VLOOP_PROJECT_DIR: stack.dir,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
    });
    await p.waitFor('worker polling');
    return p;
  };

  beforeAll(async () => {
    stack = await startTestStack({ dialect, script, withWorker: false });
    await seedDiamond(stack);
  });
  afterAll(async () => {
    releaseHeld();
    await worker?.kill();
    await stack?.close();
  });

  it('completes after a restart, calling only the interrupted step again', async () => {
    worker = await startWorker();
    const { body: run } = await stack.api('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'durable' } });
    const frames = collectFrames(stack.backend.url, run.id, 0, untilEvent('run.completed'), 120_000);
    const ops = () => stack.fake.requests.map(promptOp);
    const events = async () =>
      (await stack.api('GET', `/api/runs/${run.id}/events`)).body.events as Array<{ type: string; data: any }>;

    // Kill the worker once `up` is done and `rev` is in flight at the provider.
    await until(
      async () =>
        ops().includes('reverse') &&
        (await events()).some((e) => e.type === 'step.completed' && e.data.stepId === 'up'),
      'step up done, rev in flight',
    );
    await worker.kill('SIGKILL');
    releaseHeld();
    worker = await startWorker();

    const done = await waitForRun(stack, run.id, 90_000);
    expect(done.status).toBe('completed');
    expect(done.outputs).toEqual({ combined: 'DURABLE|elbarud' });
    const count = (op: string) => ops().filter((o) => o === op).length;
    expect(count('upper')).toBe(1);
    expect(count('join')).toBe(1);
    expect(count('reverse')).toBe(2);

    const evs = await events();
    const completed = evs.filter((e) => e.type === 'step.completed').map((e) => e.data.stepId);
    expect(completed.sort()).toEqual(['both', 'rev', 'up']);
    expect(evs.filter((e) => e.type === 'llm.request' && e.data.stepId === 'rev').map((e) => e.data.attempt)).toEqual([
      1, 2,
    ]);
    // The worker is another process: token deltas ride LISTEN/NOTIFY on PostgreSQL, the project's bus socket on SQLite.
    const got = await frames;
    expect(got.filter((f) => f.type === 'event').map((f) => f.seq)).toEqual(
      Array.from({ length: done.lastSeq }, (_, i) => i + 1),
    );
    expect(got.some((f) => f.type === 'delta' && f.callId === 'both')).toBe(true);
  });
});
