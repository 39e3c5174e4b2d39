// A run whose values pass Temporal's 2 MB payload limit: the diamond on a 1 MB text joins two 1 MB
// results into one of 2 MB. Every history payload stays small; the values live in the store, each once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACT_THRESHOLD_BYTES } from '../../temporal/artifact-codec.js';
import { SEALED_VALUES } from '../../temporal/value-codec.js';
import { payloadsOf } from '../helpers/payloads.js';
import { seedDiamond, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import { echoModel } from '../helpers/echo-model.js';

describe('large payloads', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ script: echoModel });
    await seedDiamond(stack);
  });
  afterAll(() => stack?.close());

  it('runs a pipeline whose output is over 2 MB, with every payload in its history a small reference', async () => {
    const text = 'abcdefghij'.repeat(100_000);
    const started = await stack.ok('POST', '/api/pipelines/diamond/runs', { inputs: { text } });
    const run = await waitForRun(stack, started.id, 120_000);
    expect(run.status).toBe('completed');
    expect(run.outputs.combined).toBe(`${text.toUpperCase()}|${[...text].reverse().join('')}`);

    // Temporal's own history: no payload near the limit, the big values sealed in the store and referred to.
    const history = await stack.backend.app.temporal.client.workflow.getHandle(started.id).fetchHistory();
    const payloads = payloadsOf(history.events);
    expect(Math.max(...payloads.map((p) => p.data!.byteLength))).toBeLessThan(ARTIFACT_THRESHOLD_BYTES + 1024);
    const stored = await stack.backend.app.store
      .knex('payload_artifacts')
      .where('workflowId', started.id)
      .select('sha256', 'bytes');
    // The input, the two step outputs and the joined 2 MB one: each value once, however many payloads carry it.
    expect(stored.length).toBe(4);
    expect(Math.max(...stored.map((s: { bytes: number }) => Number(s.bytes)))).toBeGreaterThan(2_000_000);

    // The history view shows the references; replay reads the values back from the store.
    const view = await stack.ok('GET', `/api/runs/${started.id}/history`);
    const refs = JSON.stringify(view.events).match(new RegExp(`"encoding":"${SEALED_VALUES}","value":`, 'g')) ?? [];
    expect(refs.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(view.events)).toMatch(/"\$vloopSealed":"[0-9a-f]+:[0-9a-f]{64}"/);
    expect(await stack.ok('POST', `/api/runs/${started.id}/replay`)).toEqual({ ok: true, executions: 1 });
  }, 180_000);
});
