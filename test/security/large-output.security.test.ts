// Class 11: a step whose output is too large for Temporal must end its run at once with an error
// naming the size (or complete with the value kept as an artifact), never leave it `running` while a
// workflow task fails and is retried forever. A model that answers 40 MB is the attacker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPredictReply } from '../../core/adapters.js';
import { promptOp } from '../helpers/echo-model.js';
import { getRun } from '../../db/repositories/runs.js';
import { until } from '../helpers/processes.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import type { FakeRequest } from '../fakes/script.js';

const MB = 1024 * 1024;
const HUGE = 40 * MB;

function hostileModel(req: FakeRequest): string {
  if (promptOp(req) === 'huge') return formatPredictReply({ result: 'x'.repeat(HUGE) });
  return formatPredictReply({ result: 'small' });
}

describe('a 40 MB output', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ script: hostileModel });
    await stack.ok('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: stack.fake.baseUrl,
      apiKey: 'sk-test-canary-1234567890abcdef',
      defaultModel: 'fake-model',
    });
    await stack.ok('POST', '/api/components', {
      name: 'huge',
      signature: 'text: str -> result: str',
      instructions: 'op: huge',
      provider: 'fake',
      params: { stream: false },
    });
    await stack.ok('POST', '/api/pipelines', {
      name: 'huge-answer',
      inputs: { text: 'str' },
      steps: [{ id: 'big', component: 'huge', inputs: { text: '$inputs.text' } }],
      outputs: { result: '$steps.big.outputs.result' },
    });
  });
  afterAll(() => stack?.close());

  it('ends its run (failed with the size named, or completed), never running forever', async () => {
    const started = await stack.ok('POST', '/api/pipelines/huge-answer/runs', { inputs: { text: 'go' } });
    // Read from the store: the point is the run's state, whatever the API's load while 40 MB passes.
    const ended = ['completed', 'failed', 'cancelled', 'timed_out'];
    await until(
      async () => ended.includes((await getRun(stack.backend.app.store, started.id)).status),
      `run ${started.id} to end`,
      90_000,
    );
    const run = await getRun(stack.backend.app.store, started.id);
    if (run.status === 'completed') {
      expect(run.outputs?.result).toHaveLength(HUGE);
    } else {
      expect(run.status).toBe('failed');
      expect(run.error?.message).toMatch(/\d+(\.\d)? MB/);
    }
    // Temporal agrees: the workflow closes (the run's end is stored just before the workflow completes),
    // rather than retrying a workflow task forever.
    const handle = stack.backend.app.temporal.client.workflow.getHandle(started.id);
    await until(
      async () => (await handle.describe()).status.name !== 'RUNNING',
      `workflow ${started.id} to close`,
      30_000,
    );
  }, 150_000);
});
