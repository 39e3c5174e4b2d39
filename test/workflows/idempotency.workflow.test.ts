// Inserting activities are idempotent: an attempt whose insert committed but whose completion never
// reached Temporal (a worker killed right after the commit) is retried, and finds its row.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvalActivities } from '../../activities/evals.js';
import type { CallModel } from '../../activities/llm/model-call.js';
import type { ToolsConfig } from '../../config/index.js';
import { componentSpec } from '../../core/specs.js';
import { ensureRun, getRun } from '../../db/repositories/runs.js';
import { components } from '../../db/repositories/versioned.js';
import { optimizeWorkflow } from '../../workflows/optimize.js';
import { freshStore, type TestStore } from '../helpers/db.js';
import { candidateBeatsBefore, fakeActivities, startWorkflowEnv, withWorker } from '../helpers/workflow-env.js';

describe('idempotent side effects', () => {
  let env: TestWorkflowEnvironment;
  let db: TestStore;
  beforeAll(async () => {
    [env, db] = await Promise.all([startWorkflowEnv(), freshStore('sqlite')]);
  });
  afterAll(async () => {
    await env?.teardown();
    await db?.drop();
  });

  it('a retried saveComponentVersion whose completion was lost leaves exactly one new version', async () => {
    const spec = componentSpec.parse({ name: 'qa', signature: 'question: str -> answer: str', provider: 'fake' });
    await components.create(db.store, spec);
    const real = createEvalActivities({
      store: db.store,
      callModel: (() => Promise.reject(new Error('no model here'))) as unknown as CallModel,
      // Nothing here scores an answer, so no assertion's code runs in the sandbox.
      tools: {} as ToolsConfig,
      resolveProvider: () => Promise.reject(new Error('no provider here')),
    });
    const attempts: number[] = [];
    const { acts } = fakeActivities({
      ...candidateBeatsBefore,
      async saveComponentVersion(input) {
        attempts.push(Context.current().info.attempt);
        const saved = await real.saveComponentVersion(input);
        // The insert is committed; the first attempt's completion never reaches Temporal.
        if (Context.current().info.attempt === 1)
          throw ApplicationFailure.retryable('worker lost after the commit', 'WorkerLost');
        return saved;
      },
    });
    const runId = 'run_opt_idem';
    const outputs = await withWorker(env, acts, async (tq) => {
      const h = await env.client.workflow.start(optimizeWorkflow, {
        taskQueue: tq,
        workflowId: runId,
        args: [
          {
            runId,
            component: { id: 'cmp', name: 'qa', version: 1, spec },
            train: ['t1'],
            dev: ['d1'],
            metric: { name: 'exact_match' },
            threshold: 0,
            k: 1,
          },
        ],
      });
      return h.result();
    });
    expect(attempts).toEqual([1, 2]);
    expect(outputs).toMatchObject({ version: 2 });
    const head = await components.get(db.store, 'qa');
    expect(head.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('a child run row is created once, however often its creation is retried', async () => {
    const run = {
      id: 'run_child_once',
      kind: 'component' as const,
      target: { type: 'component' as const, id: 'c', name: 'qa', version: 1 },
      inputs: { q: 1 },
    };
    await Promise.all([
      ensureRun(db.store, run),
      ensureRun(db.store, run),
      ensureRun(db.store, { ...run, inputs: { q: 2 } }),
    ]);
    expect((await getRun(db.store, run.id)).inputs).toEqual({ q: 1 });
    expect(await db.store.knex('runs').where('id', run.id).count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});
