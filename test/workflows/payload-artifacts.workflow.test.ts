// Large payloads through the real SDK path: a step's big output is kept in the store and the history
// holds its reference; past the ceiling the step fails with an error that names the size.
import { ApplicationFailure } from '@temporalio/activity';
import { Client, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { componentPlan } from '../../core/pipeline-plan.js';
import { componentSpec } from '../../core/specs.js';
import { payloadStore } from '../../db/payload-store.js';
import { ARTIFACT, ArtifactCodec } from '../../temporal/artifact-codec.js';
import { componentWorkflow } from '../../workflows/component.js';
import { dialects, freshStore, type TestStore } from '../helpers/db.js';
import { payloadEncoding, payloadsOf } from '../helpers/payloads.js';
import { fakeActivities, startWorkflowEnv } from '../helpers/workflow-env.js';

const upper = componentSpec.parse({ name: 'upper', signature: 'text: str -> result: str', provider: 'fake' });
const target = { type: 'component' as const, id: 'cmp_1', name: 'upper', version: 1 };
const plan = componentPlan('upper', 1, upper);

describe.each(dialects)('payload artifacts (%s)', (dialect) => {
  let env: TestWorkflowEnvironment;
  let db: TestStore;
  beforeAll(async () => {
    env = await startWorkflowEnv();
    db = await freshStore(dialect);
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
    await db?.drop();
  });

  it('keeps a big step output in the store, referenced from the history; a bigger one fails its step, naming the size', async () => {
    const dataConverter = {
      payloadCodecs: [new ArtifactCodec(payloadStore(db.store), { thresholdBytes: 4096, maxBytes: 64 * 1024 })],
    };
    const { acts, runs } = fakeActivities({
      predict: async (input) => ({
        outputs: { result: 'x'.repeat(Number(input.inputs.text)) },
        usage: { inputTokens: 1, outputTokens: 1 },
        costUsd: 0,
        latencyMs: 1,
      }),
    });
    const client = new Client({ connection: env.connection, dataConverter });
    const taskQueue = `artifacts-${dialect}-${Date.now()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      activities: acts,
      workflowBundle: { codePath: inject('workflowBundle') },
      dataConverter,
    });
    const start = (runId: string, size: number) =>
      client.workflow.execute(componentWorkflow, {
        taskQueue,
        workflowId: runId,
        args: [{ runId, kind: 'component', target, plan, inputs: { text: String(size) }, heartbeatTimeoutMs: 2000 }],
      });
    await worker.runUntil(async () => {
      const big = await start(`run_big_${dialect}`, 20_000);
      expect(big).toEqual({ result: 'x'.repeat(20_000) });
      const history = await client.workflow.getHandle(`run_big_${dialect}`).fetchHistory();
      const payloads = payloadsOf(history.events);
      // The output crossed the history twice (the step's result, the run's result): both as references.
      expect(payloads.filter((p) => payloadEncoding(p) === ARTIFACT).length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...payloads.map((p) => p.data!.byteLength))).toBeLessThan(4096);
      const stored = await db.store.knex('payload_artifacts').where('workflowId', `run_big_${dialect}`).select('bytes');
      expect(stored.length).toBeGreaterThanOrEqual(1);
      expect(Number(stored[0].bytes)).toBeGreaterThan(20_000);

      const failed = await start(`run_huge_${dialect}`, 100_000).catch((err: unknown) => err);
      expect(failed).toBeInstanceOf(WorkflowFailedError);
      const final = runs.get(`run_huge_${dialect}`)!.events.at(-1)!;
      expect(final.type).toBe('run.failed');
      expect((final.data as { error: string }).error).toContain(
        'a value of 98 KB is larger than the 64 KB a run may pass between steps',
      );
      expect((failed as WorkflowFailedError).cause).toBeInstanceOf(ApplicationFailure);
    });
  }, 60_000);

  it('refuses an artifact whose bytes no longer match the hash the history holds', async () => {
    const codec = new ArtifactCodec(payloadStore(db.store), { thresholdBytes: 16 });
    const [ref] = await codec.encode([
      {
        metadata: { encoding: new TextEncoder().encode('json/plain') },
        data: new TextEncoder().encode(JSON.stringify('y'.repeat(100))),
      },
    ]);
    const sha = Buffer.from(ref!.metadata!.sha256!).toString();
    expect(Buffer.from((await codec.decode([ref!]))[0]!.data!).toString()).toBe(JSON.stringify('y'.repeat(100)));
    await db.store
      .knex('payload_artifacts')
      .where('sha256', sha)
      .update({ data: Buffer.from('tampered') });
    await expect(codec.decode([ref!])).rejects.toThrow(`payload artifact ${sha} does not match its hash`);
    await db.store.knex('payload_artifacts').where('sha256', sha).delete();
    await expect(codec.decode([ref!])).rejects.toThrow(`payload artifact ${sha} is not in this project's store`);
  });
});
