// The embedded model for real (SmolLM2-135M on CPU): typed outputs that validate, and durable runs on it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalProvider, unloadLocalModels } from '../../providers/local.js';
import { parseReply, renderCall } from '../../core/adapters.js';
import { parseSignature } from '../../core/signature.js';
import { exampleInputs, seedExamples } from '../../api/services/seed.js';
import { localModelPath } from '../helpers/local-model.js';
import { startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import { queueScript } from '../fakes/script.js';

describe('embedded model', () => {
  let modelPath: string;
  beforeAll(() => {
    modelPath = localModelPath();
  });
  afterAll(() => unloadLocalModels());

  it('answers a signature with an int and a Literal that validate (JSON adapter, grammar)', async () => {
    const provider = createLocalProvider({
      localFiles: { modelsDir: path.dirname(modelPath), localModelPath: modelPath },
    });
    const signature = parseSignature("review: str -> stars: int, sentiment: Literal['positive', 'negative']");
    const call = renderCall(
      'json',
      { signature, instructions: 'Rate the review from 1 to 5 stars and classify its sentiment.' },
      { review: 'Terrible. It broke on day one and support never answered.' },
    );
    const deltas: string[] = [];
    const result = await provider.complete({
      model: 'SmolLM2-135M-Instruct.Q4_1',
      messages: call.messages,
      jsonSchema: call.jsonSchema,
      maxTokens: 60,
      onDelta: (d) => deltas.push(d),
    });
    const outputs = parseReply('json', signature, result.text);
    expect(Number.isInteger(outputs.stars)).toBe(true);
    expect(['positive', 'negative']).toContain(outputs.sentiment);
    expect(deltas.join('')).toBe(result.text);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(await provider.listModels()).toContain('SmolLM2-135M-Instruct.Q4_1');
  });

  describe('with no key configured', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ script: queueScript([]), env: { LOCAL_MODEL_PATH: modelPath } });
    });
    afterAll(() => stack?.close());

    it('seeds the examples on the local provider and runs the example pipeline for real', async () => {
      const seeded = await seedExamples(stack.backend.app);
      expect(seeded.message).toMatch(/'local' provider/);
      const { body } = await stack.api('POST', '/api/pipelines/review-digest/runs', {
        inputs: exampleInputs()['review-digest'],
      });
      const run = await waitForRun(stack, body.id, 180_000);
      expect(run.status).toBe('completed');
      expect(['positive', 'negative', 'neutral']).toContain(run.outputs.sentiment);
      expect(typeof run.outputs.headline).toBe('string');
      expect(run.usage.outputTokens).toBeGreaterThan(0);
      expect(stack.fake.requests).toHaveLength(0);
    }, 200_000);
  });
});
