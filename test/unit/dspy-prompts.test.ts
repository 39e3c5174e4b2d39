// Prompt parity: the chat adapter renders what DSPy 3.4.1's ChatAdapter rendered for the same
// signature, instructions, demos and inputs (golden files from test/fixtures/dspy/record.py).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderPredict } from '../../core/adapters.js';
import { moduleSignature } from '../../core/modules.js';

interface PromptCase {
  name: string;
  module: 'predict' | 'cot';
  signature: string;
  descriptions?: Record<string, string>;
  instructions: string | null;
  demos: Array<Record<string, unknown>>;
  inputs: Record<string, unknown>;
  messages: Array<{ role: string; content: string }>;
}
const cases = JSON.parse(fs.readFileSync('test/fixtures/dspy/prompts.json', 'utf8')) as PromptCase[];

describe('prompts as DSPy renders them', () => {
  it('has the recorded cases: Predict and ChainOfThought, with and without demos', () => {
    expect(cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(['predict-plain', 'predict-demos', 'cot-plain', 'cot-demos']),
    );
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const signature = moduleSignature({
      kind: c.module === 'cot' ? 'chain_of_thought' : 'predict',
      signature: c.signature,
    });
    for (const f of [...signature.inputs, ...signature.outputs])
      if (c.descriptions?.[f.name]) f.description = c.descriptions[f.name];
    const split = (demo: Record<string, unknown>) => ({
      inputs: Object.fromEntries(signature.inputs.filter((f) => f.name in demo).map((f) => [f.name, demo[f.name]])),
      outputs: Object.fromEntries(signature.outputs.filter((f) => f.name in demo).map((f) => [f.name, demo[f.name]])),
    });
    const messages = renderPredict(
      { signature, instructions: c.instructions ?? undefined, demos: c.demos.map(split) },
      c.inputs,
    );
    expect(messages).toEqual(c.messages);
  });
});
