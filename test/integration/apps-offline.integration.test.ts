// App generation with no capable model (the embedded one): the scaffold takes from the description
// what it can read without a model (a quoted title, which outputs to show and in what order, labels),
// says what it took, and a refine it cannot apply is refused instead of saving an identical version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueScript } from '../fakes/script.js';
import { startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

interface Component {
  id: string;
  component: string;
  text?: unknown;
  label?: string;
  children?: string[];
}

describe('apps without a capable model', () => {
  let stack: TestStack;
  const ok = (method: string, path: string, body?: unknown) => stack.ok(method, path, body);
  const view = async (name: string) => {
    const app = await ok('GET', `/api/apps/${name}`);
    const components = app.latest.spec.view.spec.components as Component[];
    return { app, byId: (id: string) => components.find((c) => c.id === id) };
  };

  beforeAll(async () => {
    // No model is ever asked: the fake has no replies.
    stack = await startTestStack({ script: queueScript([]) });
    await ok('POST', '/api/providers', { name: 'here', type: 'local', defaultModel: 'SmolLM2-135M-Instruct.Q4_1' });
    await ok('POST', '/api/components', {
      name: 'review',
      signature:
        "review: str, audience: str -> summary: str, sentiment: Literal['positive', 'negative'], keywords: list[str]",
      instructions: 'Review it.',
      provider: 'here',
    });
  });
  afterAll(() => stack?.close());

  it('generates the scaffold shaped by the description, and says what it took from it', async () => {
    const prompt =
      'A page titled "Review desk" for the audience first, then the review. Show only the sentiment and the summary, sentiment first; label summary as "Short summary".';
    const run = await ok('POST', '/api/apps/generate', {
      target: { kind: 'component', name: 'review', version: 1 },
      prompt,
      name: 'desk',
      provider: 'here',
    });
    const done = await waitForRun(stack, run.id);
    expect(done).toMatchObject({ status: 'completed', outputs: { app: 'desk', version: 1, source: 'scaffold' } });
    const { app, byId } = await view('desk');
    expect(byId('title')!.text).toBe('Review desk');
    expect(byId('form')!.children).toEqual(['in_audience', 'in_review', 'submit']);
    expect(byId('results')!.children).toEqual(['status', 'out_sentiment_row', 'out_summary_row']);
    expect(byId('out_summary_label')!.text).toBe('Short summary');
    expect(byId('out_keywords')).toBeUndefined();
    const taken = app.latest.spec.provenance.fromPrompt as string[];
    expect(app.latest.spec.provenance).toMatchObject({ model: 'scaffold', prompt });
    expect(taken.join('\n')).toMatch(/title "Review desk"/);
    expect(taken.join('\n')).toMatch(/outputs shown: sentiment, summary/);
    expect(taken.join('\n')).toMatch(/summary labelled "Short summary"/);
    expect(done.outputs.fromPrompt).toEqual(taken);
  });

  it('refines what the scaffold can change, into a new version', async () => {
    const run = await ok('POST', '/api/apps/desk/refine', {
      prompt: 'also show the keywords, and hide the sentiment',
      provider: 'here',
    });
    expect((await waitForRun(stack, run.id)).status).toBe('completed');
    const { app, byId } = await view('desk');
    expect(app.latestVersion).toBe(2);
    expect(byId('results')!.children).toEqual(['status', 'out_summary_row', 'out_keywords_row']);
    expect(byId('title')!.text).toBe('Review desk');
  });

  it('refuses a refine it cannot apply, saving no version', async () => {
    const res = await stack.api('POST', '/api/apps/desk/refine', {
      prompt: 'make it prettier, with a blue theme',
      provider: 'here',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/could not change the view/);
    expect(res.body.error.message).toMatch(/embedded model/);
    expect((await ok('GET', '/api/apps/desk')).latestVersion).toBe(2);
  });
});
