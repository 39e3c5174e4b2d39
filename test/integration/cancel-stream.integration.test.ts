// Cancelling stops the model at once: the provider sees its request aborted within a moment of the
// cancel, for a component run and for a chat turn, under the backend's default heartbeat timeout
// (10 s, whose heartbeats Temporal would otherwise send only every 8 s).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPredictReply } from '../../core/adapters.js';
import { seedAgent } from '../helpers/agent-setup.js';
import { until } from '../helpers/processes.js';
import { startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import type { FakeReply, FakeRequest } from '../fakes/script.js';

// Sixty chunks, one every 200 ms: about twelve seconds of generation.
const long = 'word '.repeat(144);

function script(req: FakeRequest): FakeReply | Promise<FakeReply> {
  const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
  // An agent step is not streamed: the model never answers, so only the cancel can end the call.
  if (req.tools) return new Promise<never>(() => {});
  if (system.includes('op: slow')) return { text: formatPredictReply({ result: long }), delayMs: 200 };
  return { text: long, delayMs: 200 };
}

describe('cancelling stops the provider request', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ script, heartbeatTimeoutMs: 10_000 });
    await seedAgent(stack, { rules: [] });
    await stack.ok('POST', '/api/components', {
      name: 'slow',
      signature: 'text: str -> result: str',
      instructions: 'op: slow',
      provider: 'fake',
    });
  });
  afterAll(() => stack?.close());

  /**
   * Cancel once the answer streams; how long until the provider saw its client go, in ms and in the chunks it
   * wrote meanwhile (one per 200 ms of its own pace: a count that reads the same on a loaded machine).
   */
  async function abortDelay(runId: string, streamed = true): Promise<{ ms: number; chunks: number }> {
    const written = stack.fake.slowChunksWritten;
    const asked = stack.fake.requests.length;
    if (streamed) await until(() => stack.fake.slowChunksWritten >= written + 3, 'the answer to be streaming');
    else await until(() => stack.fake.requests.length > asked, 'the model to be asked');
    const closedBefore = stack.fake.closedEarly;
    const chunksBefore = stack.fake.slowChunksWritten;
    const cancelled = Date.now();
    await stack.ok('POST', `/api/runs/${runId}/cancel`);
    await until(() => stack.fake.closedEarly > closedBefore, 'the provider to see the call aborted', 15_000);
    return { ms: Date.now() - cancelled, chunks: stack.fake.slowChunksWritten - chunksBefore };
  }
  /** A call left to the heartbeat throttle of old (8 s) streams on for 40 chunks; an abort sent at once, a few. */
  const AT_ONCE_CHUNKS = 15;

  it('a component run', async () => {
    const run = await stack.ok('POST', '/api/components/slow/runs', { inputs: { text: 'take your time' } });
    expect((await abortDelay(run.id)).chunks).toBeLessThan(AT_ONCE_CHUNKS);
    expect((await waitForRun(stack, run.id)).status).toBe('cancelled');
    await until(() => stack.backend.worker!.getStatus().numInFlightActivities === 0, 'the activity to end', 10_000);
  });

  it('a chat turn', async () => {
    const chat = await stack.ok('POST', '/api/chats', { provider: 'fake' });
    const sending = stack.api('POST', `/api/chats/${chat.id}/messages`, { content: 'tell me a long story' });
    expect((await abortDelay(chat.run.id)).chunks).toBeLessThan(AT_ONCE_CHUNKS);
    expect((await waitForRun(stack, chat.run.id)).status).toBe('cancelled');
    expect((await sending).status).toBeGreaterThanOrEqual(400);
  });

  it('an agent step', async () => {
    const run = await stack.ok('POST', '/api/components/helper/runs', { inputs: { task: 'anything' } });
    // Nothing streams here to count by: well under the 8 s the heartbeat throttle held a cancel before.
    expect((await abortDelay(run.id, false)).ms).toBeLessThan(6000);
    expect((await waitForRun(stack, run.id)).status).toBe('cancelled');
  });
});
