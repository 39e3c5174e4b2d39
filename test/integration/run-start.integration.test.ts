// A backend that stops between storing a run and starting its workflow leaves a queued run with no
// workflow. The run was asked for (its row exists, the client may have lost the answer): the reconciler
// starts it from its pending start, once, and it completes like any other run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileRuns } from '../../api/services/reconciler.js';
import { pendingStart } from '../../db/repositories/run-starts.js';
import { echoModel } from '../helpers/echo-model.js';
import { until } from '../helpers/processes.js';
import { seedDiamond, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

describe('a run whose start never reached Temporal', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ script: echoModel });
    await seedDiamond(stack);
  });
  afterAll(async () => stack?.close());

  /** POST a pipeline run while the backend's start never returns (as if its process died mid-call); the run's id. */
  async function orphan(text: string): Promise<string> {
    const client = stack.backend.app.temporal.client.workflow;
    const start = client.start.bind(client);
    client.start = () => new Promise(() => {});
    try {
      void stack.api('POST', '/api/pipelines/diamond/runs', { inputs: { text } }).catch(() => {});
      let id = '';
      await until(async () => {
        const found = (await stack.ok('GET', `/api/runs?q=${text}`)).runs;
        id = found[0]?.id ?? '';
        return Boolean(id && (await pendingStart(stack.db.store, id)));
      }, `the run of ${text} stored with its pending start`);
      return id;
    } finally {
      client.start = start;
    }
  }

  /** The reconciler only acts on a run older than a minute: make this one so. */
  const age = (id: string) =>
    stack.db.store
      .knex('runs')
      .where('id', id)
      .update({ createdAt: new Date(Date.now() - 120_000).toISOString() });

  it('is started by the reconciler and completes, each step asked of the model once', async () => {
    const id = await orphan('orphanone');
    expect((await stack.ok('GET', `/api/runs/${id}`)).status).toBe('queued');
    await age(id);
    const before = stack.fake.requests.length;
    await reconcileRuns(stack.backend.app);
    const run = await waitForRun(stack, id);
    expect(run.status).toBe('completed');
    expect(run.outputs).toEqual({ combined: 'ORPHANONE|enonahpro' });
    expect(stack.fake.requests.length - before).toBe(3);
    const { events } = await stack.ok('GET', `/api/runs/${id}/events?limit=500`);
    expect(events.map((e: { seq: number }) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
    expect(events.filter((e: { type: string }) => e.type === 'run.started')).toHaveLength(1);
    expect(await pendingStart(stack.db.store, id)).toBeUndefined();
  });

  it('is never started twice: a second pass finds the workflow and leaves the run alone', async () => {
    const id = await orphan('orphantwo');
    await age(id);
    await reconcileRuns(stack.backend.app);
    await waitForRun(stack, id);
    const before = stack.fake.requests.length;
    await reconcileRuns(stack.backend.app);
    const handle = stack.backend.app.temporal.client.workflow.getHandle(id);
    // The run's row says completed a moment before its workflow closes: wait for the workflow's own end.
    await handle.result();
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(stack.fake.requests.length).toBe(before);
    expect((await stack.ok('GET', `/api/runs/${id}`)).status).toBe('completed');
  });

  it('without a pending start (an older backend stored it) is failed as before, naming why', async () => {
    const id = await orphan('orphanthree');
    await stack.db.store.knex('run_starts').where('runId', id).delete();
    await age(id);
    await reconcileRuns(stack.backend.app);
    const run = await stack.ok('GET', `/api/runs/${id}`);
    expect(run.status).toBe('failed');
    expect(run.error.message).toBe('workflow not found in Temporal');
  });
});
