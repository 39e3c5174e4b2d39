// Each adapter on each provider: the official SDKs over HTTP to the protocol fakes, plain and streaming.
import { afterAll, describe, expect, it } from 'vitest';
import { createAnthropicProvider } from '../../providers/anthropic.js';
import { createOllamaProvider } from '../../providers/ollama.js';
import { createOpenAiProvider } from '../../providers/openai.js';
import type { LlmProvider, ProviderSettings } from '../../providers/provider.js';
import { formatPredictReply, parseReply, renderCall, type AdapterKind } from '../../core/adapters.js';
import { moduleSignature } from '../../core/modules.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeRequest } from '../fakes/script.js';

const SIGNATURE = "question: str -> answer: str, count: int, mood: Literal['pos', 'neg']";
const OUTPUTS = { reasoning: 'Four legs, stated plainly.', answer: 'A cat has four legs.', count: 4, mood: 'pos' };

/** Answers in whichever format the request asks for: JSON when a schema came, field markers otherwise. */
function typedModel(req: FakeRequest): string {
  const wanted = Object.keys((req.jsonSchema as { properties?: object } | undefined)?.properties ?? {});
  const fields = wanted.length
    ? wanted
    : [...req.messages[0]!.content.matchAll(/\d+\. `(\w+)`/g)].map((m) => m[1]!).filter((f) => f in OUTPUTS);
  const outputs = Object.fromEntries(fields.map((f) => [f, OUTPUTS[f as keyof typeof OUTPUTS]]));
  return req.jsonSchema ? JSON.stringify(outputs) : formatPredictReply(outputs);
}

const factories: Record<'openai' | 'anthropic' | 'ollama', (s: ProviderSettings) => LlmProvider> = {
  openai: createOpenAiProvider,
  anthropic: createAnthropicProvider,
  ollama: createOllamaProvider,
};

const cases = (Object.keys(factories) as Array<keyof typeof factories>).flatMap((protocol) =>
  (['chat', 'json'] as AdapterKind[]).flatMap((adapter) =>
    [true, false].map((stream) => [protocol, adapter, stream] as const),
  ),
);

describe('adapters x providers', () => {
  const fakes = new Map<string, FakeProvider>();
  afterAll(() => Promise.all([...fakes.values()].map((f) => f.close())));

  it.each(cases)('%s with the %s adapter (stream: %s) answers typed outputs', async (protocol, adapter, stream) => {
    if (!fakes.has(protocol)) fakes.set(protocol, await startFakeProvider(protocol, typedModel));
    const fake = fakes.get(protocol)!;
    const before = fake.requests.length;
    const provider = factories[protocol]({ baseUrl: fake.baseUrl, apiKey: 'sk-test-key-abcdefghijklmnop' });
    for (const kind of ['predict', 'chain_of_thought']) {
      const signature = moduleSignature({ kind, signature: SIGNATURE });
      const call = renderCall(
        adapter,
        { signature, instructions: 'Answer about animals.' },
        { question: 'How many legs has a cat?' },
      );
      const deltas: string[] = [];
      const result = await provider.complete({
        model: 'm',
        messages: call.messages,
        jsonSchema: call.jsonSchema,
        onDelta: stream ? (d) => deltas.push(d) : undefined,
      });
      const outputs = parseReply(adapter, signature, result.text);
      expect(outputs).toMatchObject({ answer: 'A cat has four legs.', count: 4, mood: 'pos' });
      if (kind === 'chain_of_thought') expect(Object.keys(outputs)[0]).toBe('reasoning');
      if (stream) expect(deltas.join('')).toBe(result.text);
      const seen = fake.requests.at(-1)!;
      expect(seen.stream).toBe(stream);
      if (adapter === 'json') {
        expect(seen.jsonSchema).toMatchObject({
          type: 'object',
          required: signature.outputs.map((f) => f.name),
          properties: { count: { type: 'integer' }, mood: { enum: ['pos', 'neg'] } },
        });
      } else {
        expect(seen.jsonSchema).toBeUndefined();
      }
    }
    expect(fake.requests.length - before).toBe(2);
  });
});
