// The benchmarks' workload on the harness: the fake provider as `fake`, the `upper` component on it, and chains of
// N `upper` steps as pipelines `chain<N>` (each step's text the previous step's result).
import type { AppContext } from '../api/context.js';
import { createProvider } from '../api/services/providers.js';
import { createComponent, createPipeline } from '../api/services/specs.js';

export async function seedUpperChains(app: AppContext, fakeBaseUrl: string, lengths: number[] = []): Promise<void> {
  await createProvider(app, {
    name: 'fake',
    type: 'openai',
    baseUrl: fakeBaseUrl,
    apiKey: 'sk-bench',
    defaultModel: 'fake-model',
  });
  await createComponent(app, {
    name: 'upper',
    signature: 'text: str -> result: str',
    instructions: 'op: upper',
    provider: 'fake',
  });
  for (const steps of lengths)
    await createPipeline(app, {
      name: `chain${steps}`,
      inputs: { text: 'str' },
      steps: Array.from({ length: steps }, (_, i) => ({
        id: `s${i}`,
        component: 'upper',
        inputs: { text: i ? `$steps.s${i - 1}.outputs.result` : '$inputs.text' },
      })),
      outputs: { result: `$steps.s${steps - 1}.outputs.result` },
    });
}
