// The official SDKs over HTTP against fakes that speak each provider's wire protocol.
import { afterAll, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from '../../providers/anthropic.js';
import { createOllamaProvider } from '../../providers/ollama.js';
import { createOpenAiProvider } from '../../providers/openai.js';
import { ProviderRejected, type LlmProvider, type ProviderSettings } from '../../providers/provider.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import { queueScript } from '../fakes/script.js';

const factories: Record<'openai' | 'anthropic' | 'ollama', (s: ProviderSettings) => LlmProvider> = {
  openai: createOpenAiProvider,
  anthropic: createAnthropicProvider,
  ollama: createOllamaProvider,
};

const THINK_MS = 150;

describe.each(Object.keys(factories) as Array<keyof typeof factories>)('%s provider', (protocol) => {
  const fakes: FakeProvider[] = [];
  afterAll(() => Promise.all(fakes.map((f) => f.close())));

  it('streams a completion with usage and latency', async () => {
    const reply = 'The quick brown fox jumps over the lazy dog, twice over.';
    // The fake thinks for THINK_MS before it answers: the latency reported covers it and no more than the call took.
    const replies = queueScript([reply]);
    const fake = await startFakeProvider(
      protocol,
      (req) => new Promise((resolve) => setTimeout(() => resolve(replies(req)), THINK_MS)),
      ['m-1', 'm-2'],
    );
    fakes.push(fake);
    const provider = factories[protocol]({ baseUrl: fake.baseUrl, apiKey: 'sk-test-key-abcdefghijklmnop' });
    const deltas: string[] = [];
    const calledAt = Date.now();
    const result = await provider.complete({
      model: 'm-1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say the sentence.' },
      ],
      maxTokens: 50,
      onDelta: (d) => deltas.push(d),
    });
    expect(result.text).toBe(reply);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(reply);
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 11 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(THINK_MS);
    expect(result.latencyMs).toBeLessThanOrEqual(Date.now() - calledAt);
    const seen = fake.requests[0]!;
    expect(seen.stream).toBe(true);
    expect(seen.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say the sentence.' },
    ]);
    // Anthropic's SDK 1.x sends the key as a bearer token too (older ones used x-api-key).
    if (protocol !== 'ollama')
      expect(seen.headers.authorization ?? `Bearer ${seen.headers['x-api-key']}`).toBe(
        'Bearer sk-test-key-abcdefghijklmnop',
      );
    expect(await provider.listModels()).toEqual(['m-1', 'm-2']);
  });

  it('reports a 4xx as a permanent rejection and a 5xx as retryable, without SDK retries', async () => {
    const fake = await startFakeProvider(
      protocol,
      queueScript([
        { status: 401, error: 'bad key' },
        { status: 503, error: 'overloaded' },
      ]),
    );
    fakes.push(fake);
    const provider = factories[protocol]({ baseUrl: fake.baseUrl, apiKey: 'k' });
    const call = () => provider.complete({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    await expect(call()).rejects.toBeInstanceOf(ProviderRejected);
    const second = await call().catch((e) => e);
    expect(second).not.toBeInstanceOf(ProviderRejected);
    expect(fake.requests).toHaveLength(2);
  });
});
