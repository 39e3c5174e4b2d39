// The embedded model stops generating when its call is cancelled: no token after the abort, the call
// ends at once, a call cancelled while it waits its turn never starts generating, and a run on it
// stops streaming within a moment of the cancel (under the backend's default heartbeat timeout).
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalProvider, unloadLocalModels } from '../../providers/local.js';
import { localModelPath } from '../helpers/local-model.js';
import { until } from '../helpers/processes.js';
import { startTestStack, waitForRun } from '../helpers/stack.js';
import { queueScript } from '../fakes/script.js';

describe('embedded model, cancelled', () => {
  afterAll(() => unloadLocalModels());
  const provider = () => {
    const modelPath = localModelPath();
    return createLocalProvider({ localFiles: { modelsDir: path.dirname(modelPath), localModelPath: modelPath } });
  };
  const story = [
    { role: 'user' as const, content: 'Write a very long story about a lighthouse keeper, with many chapters.' },
  ];

  it('stops at the abort and generates nothing after it', async () => {
    const p = provider();
    const abort = new AbortController();
    let deltasAfterAbort = 0;
    let abortedAt = 0;
    const startedAt = Date.now();
    const call = p.complete({
      model: 'SmolLM2-135M-Instruct.Q4_1',
      messages: story,
      maxTokens: 400,
      temperature: 0.8,
      signal: abort.signal,
      onDelta: () => {
        if (abortedAt) deltasAfterAbort++;
        else {
          abortedAt = Date.now();
          abort.abort(new Error('cancelled'));
        }
      },
    });
    await expect(call).rejects.toThrow();
    // At once: sooner than the call took to its first token (the model loaded, the prompt read), measured in the
    // same call under the same load; a fixed limit in ms holds only on a quiet machine.
    expect(Date.now() - abortedAt).toBeLessThan(abortedAt - startedAt);
    expect(deltasAfterAbort).toBe(0);
  });

  it('a call cancelled while it waits its turn never generates', async () => {
    const p = provider();
    const first = new AbortController();
    const second = new AbortController();
    let secondDeltas = 0;
    const running = p.complete({
      model: 'SmolLM2-135M-Instruct.Q4_1',
      messages: story,
      maxTokens: 40,
      signal: first.signal,
    });
    const waiting = p.complete({
      model: 'SmolLM2-135M-Instruct.Q4_1',
      messages: story,
      maxTokens: 40,
      signal: second.signal,
      onDelta: () => secondDeltas++,
    });
    second.abort(new Error('cancelled'));
    await running;
    await expect(waiting).rejects.toThrow();
    expect(secondDeltas).toBe(0);
  });

  it('a cancelled run on the embedded model stops streaming at once', async () => {
    const stack = await startTestStack({
      script: queueScript([]),
      env: { LOCAL_MODEL_PATH: localModelPath() },
      heartbeatTimeoutMs: 10_000,
    });
    try {
      await stack.ok('POST', '/api/providers', {
        name: 'here',
        type: 'local',
        defaultModel: 'SmolLM2-135M-Instruct.Q4_1',
      });
      await stack.ok('POST', '/api/components', {
        name: 'story',
        signature: 'topic: str -> story: str',
        instructions: 'Write a very long story.',
        provider: 'here',
        params: { maxTokens: 400, temperature: 0.8 },
      });
      // A sampled story may end (the model's end token) before its call has heartbeated: that run cannot show a
      // cancel, so another is started; a run still generating at its first heartbeat is the one cancelled.
      let deltas = 0;
      let off = () => {};
      let run: { id: string; workflowId?: string } | undefined;
      for (let attempt = 1; !run; attempt++) {
        const started = await stack.ok('POST', '/api/components/story/runs', {
          inputs: { topic: 'a lighthouse keeper' },
        });
        deltas = 0;
        off = stack.backend.app.bus.subscribe(started.id, (m) => {
          if (m.type === 'delta' && m.text) deltas++;
        });
        await until(() => deltas >= 3, 'the story to stream', 60_000);
        // A cancel reaches an activity in the answer to its next heartbeat. Cancelled once a heartbeat has been
        // recorded, it lands inside the worker's heartbeat throttle window: the slowest way for the abort to arrive.
        const workflow = stack.backend.app.temporal.client.workflow.getHandle(started.workflowId ?? started.id);
        let ended = false;
        await until(
          async () => {
            const d = await workflow.describe();
            ended = d.status.name !== 'RUNNING';
            return ended || (d.raw.pendingActivities?.some((a) => a.lastHeartbeatTime) ?? false);
          },
          "the model call's first heartbeat",
          60_000,
        );
        if (!ended) run = started;
        else {
          off();
          if (attempt === 3) throw new Error('three stories ended before their model call heartbeated');
        }
      }
      const atCancel = deltas;
      await stack.ok('POST', `/api/runs/${run.id}/cancel`);
      expect((await waitForRun(stack, run.id)).status).toBe('cancelled');
      await until(() => stack.backend.worker!.getStatus().numInFlightActivities === 0, 'the activity to end', 30_000);
      off();
      // Counted in tokens, not ms, so a loaded machine (slower model, slower cancel) reads the same: a model
      // left running streams on to its 400 tokens; an aborted one stops within a few dozen.
      expect(deltas - atCancel).toBeLessThan(150);
    } finally {
      await stack.close();
    }
  }, 180_000);
});
