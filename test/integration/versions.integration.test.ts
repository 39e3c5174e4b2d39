// Versions that stay put (issue 29): a saved pipeline pins its components, an app its target; labels move only
// by a promote (API and CLI), each move recorded; a run records the exact versions it used.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoModel } from '../helpers/echo-model.js';
import { dialects, freshStore } from '../helpers/db.js';
import { spawnHarness } from '../helpers/processes.js';
import { migrationSource } from '../../db/migrations/index.js';
import { startTestStack, TOKEN, waitForRun, type TestStack } from '../helpers/stack.js';

const qa = (op: string) => ({
  name: 'qa',
  signature: 'text: str -> result: str',
  instructions: `op: ${op}`,
  provider: 'fake',
});
const chain = (name: string, component: string) => ({
  name,
  inputs: { text: 'str' },
  steps: [{ id: 'answer', component, inputs: { text: '$inputs.text' } }],
  outputs: { result: '$steps.answer.outputs.result' },
});

describe.each(dialects)('pinned versions and labels (%s)', (dialect) => {
  let stack: TestStack;
  const finished = async (run: { id: string }) => {
    const r = await waitForRun(stack, run.id);
    expect(r.status, JSON.stringify(r.error)).toBe('completed');
    return r;
  };
  const runChain = async (name: string, body: Record<string, unknown> = {}) =>
    finished(await stack.ok('POST', `/api/pipelines/${name}/runs`, { inputs: { text: 'abc' }, ...body }));

  beforeAll(async () => {
    stack = await startTestStack({ dialect, script: echoModel });
    await stack.ok('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: stack.fake.baseUrl,
      defaultModel: 'fake-model',
    });
    await stack.ok('POST', '/api/components', qa('upper'));
    await stack.ok('POST', '/api/components/qa/versions', qa('reverse'));
    await stack.ok('POST', '/api/pipelines', chain('qa-chain', 'qa'));
  });
  afterAll(() => stack?.close());

  it('qa-chain@1 ran qa@2; after "edit prompt and rerun" (qa@3 and a fork) it still runs qa@2, and so does its app', async () => {
    const before = await runChain('qa-chain');
    expect(before.outputs).toEqual({ result: 'cba' });
    await stack.ok('POST', '/api/apps', { name: 'qa-app', target: { kind: 'pipeline', name: 'qa-chain', version: 1 } });
    // What the dialog does: save the edited prompt as a new version, then fork the run from the step with it.
    const saved = await stack.ok('POST', '/api/components/qa/versions', qa('upper'));
    expect(saved.latestVersion).toBe(3);
    const fork = await finished(
      await stack.ok('POST', `/api/runs/${before.id}/fork`, {
        fromStep: 'answer',
        overrides: { steps: { answer: { component: 'qa@3' } } },
      }),
    );
    expect(fork.outputs).toEqual({ result: 'ABC' });
    expect((await stack.ok('GET', '/api/pipelines/qa-chain')).latestVersion).toBe(1);

    const after = await runChain('qa-chain');
    expect(after.outputs).toEqual({ result: 'cba' });
    const app = await finished(await stack.ok('POST', '/api/apps/qa-app/runs', { inputs: { text: 'abc' } }));
    expect(app.outputs).toEqual({ result: 'cba' });
    expect(await stack.ok('GET', `/api/runs/${after.id}/versions`)).toEqual({
      target: 'pipeline:qa-chain@1',
      steps: { answer: 'qa@2' },
      labels: [],
    });
    expect(await stack.ok('GET', `/api/runs/${fork.id}/versions`)).toMatchObject({
      target: 'pipeline:qa-chain@1',
      steps: { answer: 'qa@3' },
    });
    expect(await stack.ok('GET', `/api/runs/${app.id}/versions`)).toMatchObject({
      app: 'app:qa-app@1',
      steps: { answer: 'qa@2' },
    });
    // The saved version says what it pins; a new pipeline version saved now pins the latest.
    expect((await stack.ok('GET', '/api/pipelines/qa-chain/versions/1')).pins).toEqual({ qa: 2 });
    expect((await stack.ok('POST', '/api/pipelines/qa-chain/versions', chain('qa-chain', 'qa'))).latest.pins).toEqual({
      qa: 3,
    });
  });

  it('a pipeline following qa@production runs what the label names at run start; a promote moves it, recorded', async () => {
    const unset = await stack.api('POST', '/api/pipelines', chain('qa-follow', 'qa@production'));
    expect(unset.status).toBe(400);
    expect(JSON.stringify(unset.body)).toContain("no version of 'qa' is labelled 'production'");

    expect((await stack.ok('POST', '/api/components/qa/labels/production', { version: 3 })).labels).toEqual([
      expect.objectContaining({ label: 'production', version: 3 }),
    ]);
    await stack.ok('POST', '/api/pipelines', chain('qa-follow', 'qa@production'));
    const first = await runChain('qa-follow');
    expect(first.outputs).toEqual({ result: 'ABC' });
    expect(await stack.ok('GET', `/api/runs/${first.id}/versions`)).toEqual({
      target: 'pipeline:qa-follow@1',
      steps: { answer: 'qa@3' },
      labels: [{ kind: 'component', name: 'qa', label: 'production', version: 3 }],
    });

    await stack.ok('POST', '/api/components/qa/labels/production', { version: 2, via: 'dashboard' });
    const second = await runChain('qa-follow');
    expect(second.outputs).toEqual({ result: 'cba' });
    const { labels, moves } = await stack.ok('GET', '/api/components/qa/labels');
    expect(labels).toEqual([expect.objectContaining({ label: 'production', version: 2 })]);
    expect(moves.map((m: Record<string, unknown>) => [m.label, m.from, m.to, m.via])).toEqual([
      ['production', 3, 2, 'dashboard'],
      ['production', null, 3, 'api'],
    ]);
    expect(moves[0].at).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The pipeline's own version did not move, and the first run still says what it ran.
    expect((await stack.ok('GET', '/api/pipelines/qa-follow')).latestVersion).toBe(1);
    expect((await stack.ok('GET', `/api/runs/${first.id}/versions`)).steps).toEqual({ answer: 'qa@3' });
  });

  it("an app following its pipeline's label runs the version the label names, and records it", async () => {
    await stack.ok('POST', '/api/pipelines/qa-chain/labels/production', { version: 1 });
    const app = await stack.ok('POST', '/api/apps', {
      name: 'qa-live',
      target: { kind: 'pipeline', name: 'qa-chain', label: 'production' },
    });
    expect(app.latest.spec.target).toEqual({ kind: 'pipeline', name: 'qa-chain', version: 1, label: 'production' });
    const run = await finished(await stack.ok('POST', '/api/apps/qa-live/runs', { inputs: { text: 'abc' } }));
    expect(run.target).toMatchObject({ name: 'qa-chain', version: 1 });
    expect(await stack.ok('GET', `/api/runs/${run.id}/versions`)).toEqual({
      target: 'pipeline:qa-chain@1',
      app: 'app:qa-live@1',
      steps: { answer: 'qa@2' },
      labels: [{ kind: 'pipeline', name: 'qa-chain', label: 'production', version: 1 }],
    });
    await stack.ok('POST', '/api/pipelines/qa-chain/labels/production', { version: 2 });
    const next = await finished(await stack.ok('POST', '/api/apps/qa-live/runs', { inputs: { text: 'abc' } }));
    expect(next.target).toMatchObject({ name: 'qa-chain', version: 2 });
    expect(next.outputs).toEqual({ result: 'ABC' });
    // Apps carry labels too.
    await stack.ok('POST', '/api/apps/qa-live/labels/staging', { version: 1 });
    expect((await stack.ok('GET', '/api/apps/qa-live/labels')).labels).toEqual([
      expect.objectContaining({ label: 'staging', version: 1 }),
    ]);
  });

  it("a run may name a label instead of a version: a pipeline's, a component's or an app's, recorded", async () => {
    await stack.ok('POST', '/api/pipelines/qa-chain/labels/staging', { version: 1 });
    const run = await runChain('qa-chain', { label: 'staging' });
    expect(run.target).toMatchObject({ name: 'qa-chain', version: 1 });
    expect((await stack.ok('GET', `/api/runs/${run.id}/versions`)).labels).toEqual([
      { kind: 'pipeline', name: 'qa-chain', label: 'staging', version: 1 },
    ]);
    await stack.ok('POST', '/api/components/qa/labels/canary', { version: 3 });
    const one = await finished(
      await stack.ok('POST', '/api/components/qa/runs', { inputs: { text: 'abc' }, label: 'canary' }),
    );
    expect(one.outputs).toEqual({ result: 'ABC' });
    expect(await stack.ok('GET', `/api/runs/${one.id}/versions`)).toEqual({
      target: 'component:qa@3',
      steps: { qa: 'qa@3' },
      labels: [{ kind: 'component', name: 'qa', label: 'canary', version: 3 }],
    });
    await stack.ok('POST', '/api/apps/qa-app/labels/production', { version: 1 });
    const app = await finished(
      await stack.ok('POST', '/api/apps/qa-app/runs', { inputs: { text: 'abc' }, label: 'production' }),
    );
    expect(app.origin).toBe('app:qa-app@1');
    expect((await stack.ok('GET', `/api/runs/${app.id}/versions`)).labels).toEqual([
      { kind: 'app', name: 'qa-app', label: 'production', version: 1 },
    ]);
    const both = await stack.api('POST', '/api/pipelines/qa-chain/runs', {
      inputs: { text: 'abc' },
      version: 1,
      label: 'staging',
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain('a version or a label, not both');
    const unset = await stack.api('POST', '/api/pipelines/qa-chain/runs', { inputs: { text: 'abc' }, label: 'nope' });
    expect(unset.status).toBe(400);
    expect(JSON.stringify(unset.body)).toContain("no version of 'qa-chain' is labelled 'nope'");
  });

  it('refuses a promote naming an unknown version or object, or a label that is a number', async () => {
    const unknownVersion = await stack.api('POST', '/api/components/qa/labels/production', { version: 99 });
    expect(unknownVersion.status).toBe(400);
    expect(unknownVersion.body.error.message).toContain("component 'qa' has no version 99");
    expect((await stack.api('POST', '/api/components/nope/labels/production', { version: 1 })).status).toBe(404);
    const digits = await stack.api('POST', '/api/components/qa/labels/123', { version: 1 });
    expect(digits.status).toBe(400);
    expect(JSON.stringify(digits.body)).toContain('cannot be all digits');
    expect((await stack.api('POST', '/api/components/qa/labels/production', { version: 'two' })).status).toBe(400);
  });

  // The CLI opens the project's SQLite store: one run of it, not one per dialect.
  if (dialect === 'sqlite')
    it('harness promote <kind> <name@v> <label> moves a label from the CLI; bad input is a message and exit 1', async () => {
      const env = { HARNESS_PORT: String(stack.backend.port), HARNESS_TOKEN: TOKEN, VLOOP_PROJECT_DIR: stack.dir };
      const harness = async (args: string[]) => {
        const p = spawnHarness(args, env);
        return { code: await p.exitCode, out: p.output() };
      };
      const ok = await harness(['promote', 'component', 'qa@3', 'staging']);
      expect(ok.out).toContain('component qa: staging -> v3 (was unset)');
      expect(ok.code).toBe(0);
      const moves = (await stack.ok('GET', '/api/components/qa/labels')).moves;
      expect(moves[0]).toMatchObject({ label: 'staging', from: null, to: 3, via: 'cli' });
      const run = await harness(['run', 'component', 'qa', '--label', 'staging', '-i', 'text=abc', '--follow']);
      expect(run.out).toMatch(/"result": "ABC"/);
      expect(run.code).toBe(0);

      for (const [args, message] of [
        [['promote', 'component', 'qa@99', 'staging'], "component 'qa' has no version 99"],
        [['promote', 'widget', 'qa@1', 'staging'], "a kind is component, pipeline or app, not 'widget'"],
        [['promote', 'component', 'qa', 'staging'], "name@version, e.g. qa@3, not 'qa'"],
        [['promote', 'component', 'qa@1', '42'], 'cannot be all digits'],
      ] as const) {
        const bad = await harness([...args]);
        expect(bad.out).toContain(message);
        expect(bad.code).toBe(1);
      }
    });
});

describe.each(dialects)('migration 013 (%s)', (dialect) => {
  it('pins each pipeline version saved before it to the component version that was latest when it was saved', async () => {
    const db = await freshStore(dialect);
    try {
      const knex = db.store.knex;
      await knex.migrate.down({ migrationSource, name: '013_labels' });
      const spec = (component: string) => JSON.stringify(chain('old-chain', component));
      await knex('components').insert({
        id: 'cmp_qa',
        name: 'qa',
        latestVersion: 2,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-03T00:00:00.000Z',
      });
      for (const [version, at] of [
        [1, '2026-01-01T00:00:00.000Z'],
        [2, '2026-01-03T00:00:00.000Z'],
      ] as const)
        await knex('component_versions').insert({
          id: `cmpv_${version}`,
          parentId: 'cmp_qa',
          version,
          spec: JSON.stringify(qa('upper')),
          createdAt: at,
        });
      await knex('pipelines').insert({
        id: 'pip_old',
        name: 'old-chain',
        latestVersion: 3,
        createdAt: '2026-01-02T00:00:00.000Z',
        updatedAt: '2026-01-04T00:00:00.000Z',
      });
      await knex('pipeline_versions').insert([
        { id: 'pipv_1', parentId: 'pip_old', version: 1, spec: spec('qa'), createdAt: '2026-01-02T00:00:00.000Z' },
        { id: 'pipv_2', parentId: 'pip_old', version: 2, spec: spec('qa'), createdAt: '2026-01-04T00:00:00.000Z' },
        { id: 'pipv_3', parentId: 'pip_old', version: 3, spec: spec('qa@1'), createdAt: '2026-01-04T00:00:00.000Z' },
      ]);
      await knex.migrate.up({ migrationSource, name: '013_labels' });
      const pins = await knex('pipeline_versions').orderBy('version').pluck('pins');
      expect(pins.map((p: string) => JSON.parse(p))).toEqual([{ qa: 1 }, { qa: 2 }, {}]);
    } finally {
      await db.drop();
    }
  });
});
