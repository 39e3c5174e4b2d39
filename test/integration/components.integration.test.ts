// Component versions and their prompts; token deltas over /ws, reset when a retried attempt restarts.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localModelPath } from '../helpers/local-model.js';
import { formatPredictReply } from '../../core/adapters.js';
import { promptFields } from '../helpers/echo-model.js';
import { startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import { collectFrames, untilEvent } from '../helpers/ws.js';
import type { FakeReply, FakeRequest } from '../fakes/script.js';

describe('components', () => {
  let stack: TestStack;
  let cutNext = false;
  const TEXT_REPLY = '  Four, usually.\n\n';
  const script = (req: FakeRequest): FakeReply => {
    if (req.messages[0]?.content.startsWith('Answer briefly:')) return TEXT_REPLY;
    const text = formatPredictReply({
      answer: `You asked: ${promptFields(req).question}. Here is a long enough answer to stream in pieces.`,
    });
    if (cutNext) {
      cutNext = false;
      return { text, cutAfter: 4, delayMs: 150 };
    }
    return text;
  };

  beforeAll(async () => {
    stack = await startTestStack({ script, env: { LOCAL_MODEL_PATH: localModelPath() } });
    await stack.api('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: stack.fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
  });
  afterAll(() => stack?.close());

  it('keeps immutable versions, and a run of v1 and of v3 shows each version prompt', async () => {
    const base = { name: 'qa', signature: 'question: str -> answer: str', provider: 'fake' };
    expect(
      (await stack.api('POST', '/api/components', { ...base, instructions: 'Version one: be terse.' })).status,
    ).toBe(201);
    expect(
      (await stack.api('POST', '/api/components/qa/versions', { ...base, instructions: 'Version two: be kind.' }))
        .status,
    ).toBe(201);
    const v3 = await stack.api('POST', '/api/components/qa/versions', {
      ...base,
      kind: 'chain_of_thought',
      instructions: 'Version three: think first.',
    });
    expect(v3.body).toMatchObject({ latestVersion: 3, versions: [{ version: 1 }, { version: 2 }, { version: 3 }] });
    expect((await stack.api('GET', '/api/components/qa/versions/1')).body.spec.instructions).toBe(
      'Version one: be terse.',
    );

    const prompts: Record<number, string> = {};
    for (const version of [1, 3]) {
      const { body } = await stack.api('POST', '/api/components/qa/runs', {
        inputs: { question: `v${version}?` },
        version,
      });
      const run = await waitForRun(stack, body.id);
      expect(run.target).toMatchObject({ name: 'qa', version });
      const events = (await stack.api('GET', `/api/runs/${run.id}/events`)).body.events;
      prompts[version] = events.find((e: any) => e.type === 'llm.request').data.messages[0].content;
      if (version === 3) expect(run.status).toBe('failed'); // the fake gives no `reasoning`: ChainOfThought asks for it
    }
    expect(prompts[1]).toContain('Version one: be terse.');
    expect(prompts[1]).not.toContain('reasoning');
    expect(prompts[3]).toContain('Version three: think first.');
    expect(prompts[3]).toMatch(/1\. `reasoning` \(str\)/);
  });

  it('runs a plain prompt template: the filled template is the one message, the whole reply the one output', async () => {
    const spec = {
      name: 'brief',
      signature: 'question -> output',
      adapter: 'text',
      template: 'Answer briefly: {{ question }}',
      provider: 'fake',
    };
    expect((await stack.api('POST', '/api/components', spec)).status).toBe(201);
    const before = stack.fake.requests.length;
    const { body } = await stack.api('POST', '/api/components/brief/runs', {
      inputs: { question: 'How many legs has a cat?' },
    });
    const run = await waitForRun(stack, body.id);
    expect(run.status).toBe('completed');
    expect(run.outputs).toEqual({ output: TEXT_REPLY });
    const sent = stack.fake.requests.slice(before);
    expect(sent.map((r) => r.messages)).toEqual([
      [{ role: 'user', content: 'Answer briefly: How many legs has a cat?' }],
    ]);
    expect(sent[0]!.jsonSchema).toBeUndefined();
    const events = (await stack.api('GET', `/api/runs/${run.id}/events`)).body.events;
    expect(events.find((e: any) => e.type === 'llm.request').data.adapter).toBe('text');

    const unknown = await stack.api('POST', '/api/components', {
      ...spec,
      name: 'brief-bad',
      template: 'Answer in {{ lang }}: {{ question }}',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({
      code: 'invalid_spec',
      details: {
        problems: [{ path: 'template', message: '{{ lang }} names no input field; the inputs are: question' }],
      },
    });
    expect(unknown.body.error.message).toContain('{{ lang }}');
  });

  it('lists provider models, tests a provider live, and prices runs from the editable table', async () => {
    expect((await stack.api('GET', '/api/providers/fake/models')).body).toEqual({ models: ['fake-model'] });
    expect((await stack.api('POST', '/api/providers/fake/test')).body).toMatchObject({ ok: true, models: 1 });
    await stack.api('POST', '/api/providers', {
      name: 'gguf',
      type: 'local',
      defaultModel: 'SmolLM2-135M-Instruct.Q4_1',
    });
    expect((await stack.api('GET', '/api/providers/gguf/models')).body.models).toContain(
      path.basename(localModelPath(), '.gguf'),
    );

    const bad = await stack.api('PUT', '/api/pricing', { 'fake-model': { input: -1, output: 2 } });
    expect(bad.status).toBe(400);
    const put = await stack.api('PUT', '/api/pricing', { 'fake-model': { input: 1000, output: 2000 } });
    expect(put.body.prices['fake-model']).toEqual({ input: 1000, output: 2000 });
    // The built-in prices stay beside the edited one.
    expect(put.body.prices['gpt-4o-mini']).toEqual({ input: 0.15, output: 0.6 });
    const { body } = await stack.api('POST', '/api/components/qa/runs', { inputs: { question: 'price?' }, version: 1 });
    const run = await waitForRun(stack, body.id);
    const { inputTokens, outputTokens, costUsd } = run.usage;
    expect(costUsd).toBeCloseTo((inputTokens * 1000 + outputTokens * 2000) / 1e6, 6);
    expect(costUsd).toBeGreaterThan(0);
  });

  it('streams token deltas to /ws and resets the stream when a retried attempt starts over', async () => {
    await stack.api('POST', '/api/components', {
      name: 'streamer',
      signature: 'question: str -> answer: str',
      provider: 'fake',
    });
    cutNext = true;
    const { body } = await stack.api('POST', '/api/components/streamer/runs', { inputs: { question: 'stream?' } });
    const frames = await collectFrames(stack.backend.url, body.id, 0, untilEvent('run.completed'));
    const deltas = frames.filter((f) => f.type === 'delta');
    const resetAt = deltas.findIndex((d) => d.reset);
    expect(resetAt).toBeGreaterThan(0); // partial text of attempt 1 came first
    const final = frames.filter((f) => f.type === 'event' && f.event?.type === 'llm.response').at(-1)!.event!.data;
    expect(final.attempt).toBe(2);
    expect(
      deltas
        .slice(resetAt)
        .map((d) => d.text)
        .join(''),
    ).toBe(final.text);
    expect(frames.some((f) => f.type === 'run')).toBe(true);
  });
});
