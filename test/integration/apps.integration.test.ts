// Apps through the API: manifests checked against their real target (400 and nothing stored when
// not), runs of the bound target tagged with their origin and held to the manifest's permissions,
// and generation as a durable run: valid at once, repaired in one round, or failed with the errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A2UI_VERSION, VLOOP_CATALOG_ID } from '../../core/a2ui.js';
import { eventsOf } from '../helpers/agent-setup.js';
import { echoModel } from '../helpers/echo-model.js';
import { seedDiamond, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import type { FakeReply, FakeRequest } from '../fakes/script.js';

const surface = (components: unknown[]) => ({ version: A2UI_VERSION, catalogId: VLOOP_CATALOG_ID, components });
const good = surface([
  { id: 'root', component: 'Column', children: ['t', 'text', 'go', 'out'] },
  { id: 't', component: 'Text', text: 'Shout and mirror', variant: 'h2' },
  { id: 'text', component: 'TextField', label: 'Text', value: { path: '/inputs/text' } },
  { id: 'go', component: 'Button', label: 'Go', action: { event: { name: 'run' } } },
  { id: 'out', component: 'Badge', text: { path: '/outputs/combined' }, color: 'success' },
]);
const broken = surface([
  { id: 'root', component: 'Column', children: ['out'] },
  { id: 'out', component: 'Text', text: { path: '/outputs/nope' } },
]);

function script(req: FakeRequest): FakeReply {
  const system = req.messages[0]?.content ?? '';
  if (!system.startsWith('You design small UIs')) return echoModel(req);
  const wants = /What the user wants: (.*)/.exec(req.messages[1]?.content ?? '')?.[1] ?? '';
  const told = req.messages.some((m) => m.content.includes('VALIDATION_FAILED'));
  if (wants.includes('repair')) return JSON.stringify(told ? good : broken);
  if (wants.includes('hopeless')) return JSON.stringify(broken);
  return JSON.stringify(good);
}

describe('apps', () => {
  let stack: TestStack;
  const ok = (method: string, path: string, body?: unknown) => stack.ok(method, path, body);
  const target = { kind: 'pipeline', name: 'diamond', version: 1 };

  beforeAll(async () => {
    stack = await startTestStack({ script });
    await seedDiamond(stack);
  });
  afterAll(() => stack?.close());

  it('stores a manifest with the scaffold and the inputs schema derived from the target', async () => {
    const app = await ok('POST', '/api/apps', {
      name: 'mirror',
      target,
      permissions: { perMinute: 3, maxConcurrent: 5 },
    });
    expect(app.latest.spec.inputs.schema).toEqual({
      type: 'object',
      properties: { text: { type: 'string' } },
      required: ['text'],
      additionalProperties: false,
    });
    expect(app.latest.spec.view.kind).toBe('declarative');
    expect(app.latest.spec.view.spec.components.map((c: { id: string }) => c.id)).toContain('out_combined');
  });

  it.each([
    ['an unknown target', { name: 'x1', target: { ...target, name: 'nosuch' } }, /pipeline 'nosuch@1' does not exist/],
    [
      'a binding to an output that does not exist',
      { name: 'x2', target, view: { kind: 'declarative', spec: broken } },
      /'\/outputs\/nope' binds to nothing/,
    ],
    [
      'a view that does not validate',
      { name: 'x3', target, view: { kind: 'declarative', spec: surface([{ id: 'root', component: 'Blink' }]) } },
      /view\.spec/,
    ],
    [
      'script in a declarative view',
      {
        name: 'x4',
        target,
        view: {
          kind: 'declarative',
          spec: surface([{ id: 'root', component: 'Text', text: '<script>alert(1)</script>' }]),
        },
      },
      /script or markup is not allowed/,
    ],
    [
      'a binding of the wrong kind',
      {
        name: 'x5',
        target,
        view: {
          kind: 'declarative',
          spec: surface([{ id: 'root', component: 'CheckBox', label: 'x', value: { path: '/inputs/text' } }]),
        },
      },
      /cannot show inputs field 'text' of kind str/,
    ],
  ])('refuses %s with 400, storing nothing', async (_what, body, reason) => {
    const before = (await ok('GET', '/api/apps')).length;
    const r = await stack.api('POST', '/api/apps', body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(reason);
    expect((await ok('GET', '/api/apps')).length).toBe(before);
  });

  it('runs only its bound target, tagged with its origin, and holds to its rate', async () => {
    const run = await ok('POST', '/api/apps/mirror/runs', { inputs: { text: 'abc' }, target: 'ignored' }).catch(
      (e) => e,
    );
    // An extra field is refused outright: an app names inputs, never a target.
    expect(String(run)).toMatch(/400/);
    const started = await ok('POST', '/api/apps/mirror/runs', { inputs: { text: 'abc' } });
    expect(started).toMatchObject({ origin: 'app:mirror@1', target: { type: 'pipeline', name: 'diamond' } });
    expect((await waitForRun(stack, started.id)).outputs).toEqual({ combined: 'ABC|cba' });
    await ok('POST', '/api/apps/mirror/runs', { inputs: { text: 'b' } });
    await ok('POST', '/api/apps/mirror/runs', { inputs: { text: 'c' } });
    const fourth = await stack.api('POST', '/api/apps/mirror/runs', { inputs: { text: 'd' } });
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('rate_limited');
    const bad = await stack.api('POST', '/api/apps/mirror/runs', { inputs: { text: 3 } });
    expect(bad.status).toBe(400);
    expect((await ok('GET', '/api/apps/mirror/runs')).runs).toHaveLength(3);
  });

  it('keeps the bridge state of an app', async () => {
    expect(await ok('GET', '/api/apps/mirror/state')).toEqual({});
    await ok('PUT', '/api/apps/mirror/state', { last: 'abc' });
    expect(await ok('GET', '/api/apps/mirror/state')).toEqual({ last: 'abc' });
  });

  it('generates a version with a valid view at once, with provenance', async () => {
    const run = await ok('POST', '/api/apps/generate', {
      target,
      prompt: 'a badge for the combined text',
      name: 'gen',
      provider: 'fake',
    });
    const done = await waitForRun(stack, run.id);
    expect(done).toMatchObject({
      kind: 'generate',
      status: 'completed',
      outputs: { app: 'gen', version: 1, rounds: 0, source: 'model' },
    });
    const app = await ok('GET', '/api/apps/gen');
    expect(app.latest.spec.view.spec).toEqual(good);
    expect(app.latest.spec.provenance).toMatchObject({ generationRunId: run.id, model: 'fake-model' });
  });

  it('repairs an invalid draft in one round, showing the model its errors', async () => {
    const run = await ok('POST', '/api/apps/gen/refine', { prompt: 'please repair', provider: 'fake' });
    const done = await waitForRun(stack, run.id);
    expect(done.outputs).toMatchObject({ version: 2, rounds: 1 });
    const events = await eventsOf(stack, run.id);
    expect(events.find((e) => e.type === 'step.failed')!.data.error).toMatch(/\/outputs\/nope' binds to nothing/);
    const repair = events.find((e) => e.type === 'llm.request' && e.data.callId === 'repair[1]')!;
    expect(repair.data.messages.at(-1).content).toContain('VALIDATION_FAILED');
    expect((await ok('GET', '/api/apps/gen')).latest.spec.provenance.parentVersion).toBe(1);
  });

  it('fails a generation that cannot be repaired, with the validation errors in its events', async () => {
    const run = await ok('POST', '/api/apps/gen/refine', { prompt: 'hopeless', provider: 'fake', maxRepairs: 1 });
    const done = await waitForRun(stack, run.id);
    expect(done.status).toBe('failed');
    expect(done.error.message).toMatch(/still does not validate after 1 repair round\(s\): .*\/outputs\/nope/);
    const failed = (await eventsOf(stack, run.id)).filter((e) => e.type === 'step.failed');
    expect(failed.map((e) => e.data.stepId)).toEqual(['draft', 'repair[1]']);
    expect((await ok('GET', '/api/apps/gen')).latestVersion).toBe(2);
  });
});
