// Feedback on runs (issue 35): a run or a step is rated (thumbs, a 1–5 score, a project label) with a note; the
// runs list shows it, filters by it (feedback=negative|positive|any|none), finds its notes with q, and bad input
// is a 400 naming the problem; on SQLite and PostgreSQL.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import { stepCompleted, stepStarted } from '../../core/run-story/events.js';
import { migrate } from '../../db/knex.js';
import { migrationSource } from '../../db/migrations/index.js';
import { appendEvents, createRun, listRuns, updateRun } from '../../db/repositories/runs.js';
import { echoModel } from '../helpers/echo-model.js';
import { dialects, freshStore } from '../helpers/db.js';
import { spawnHarness } from '../helpers/processes.js';
import { startTestStack, TOKEN, type TestStack } from '../helpers/stack.js';

describe.each(dialects)('feedback on runs (%s)', (dialect) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ dialect, script: echoModel, withWorker: false });
  });
  afterAll(() => stack?.close());

  /** A finished pipeline run with one step `up`, written straight to the store. */
  const seedRun = async (text: string) => {
    const store = stack.db.store;
    const id = newId('run');
    await createRun(store, {
      id,
      kind: 'pipeline',
      target: { type: 'pipeline', id: 'p1', name: 'fbpipe', version: 1 },
      inputs: { text },
    });
    await appendEvents(store, id, [
      stepStarted({ stepId: 'up' }),
      stepCompleted({ stepId: 'up', outputs: { result: text.toUpperCase() } } as never),
    ]);
    await updateRun(store, id, { status: 'completed', outputs: { result: text.toUpperCase() } });
    return id;
  };
  const listed = async (query: string) =>
    ((await stack.ok('GET', `/api/runs?limit=200&target=fbpipe${query}`)).runs as Array<{ id: string }>)
      .map((r) => r.id)
      .sort();
  const rate = (id: string, body: unknown) => stack.api('POST', `/api/runs/${id}/feedback`, body);

  it('stores feedback on a run and a step, shows it in the run view, and deletes it', async () => {
    const id = await seedRun('apples');
    const made = await rate(id, { thumbs: 'down', note: 'Wrong fruit entirely' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ runId: id, stepId: null, thumbs: 'down', score: null, negative: true });
    const step = await rate(id, { stepId: 'up', score: 5, label: 'helpful' });
    expect(step.status).toBe(201);
    expect(step.body).toMatchObject({ stepId: 'up', score: 5, label: 'helpful', negative: false });
    const { feedback } = await stack.ok('GET', `/api/runs/${id}/feedback`);
    expect(feedback.map((f: { id: string }) => f.id)).toEqual([made.body.id, step.body.id]);
    expect((await stack.ok('GET', `/api/runs/${id}`)).feedback).toEqual({
      count: 2,
      negative: 1,
      positive: 1,
      score: 5,
    });
    expect((await stack.api('DELETE', `/api/runs/${id}/feedback/${step.body.id}`)).status).toBe(204);
    expect((await stack.ok('GET', `/api/runs/${id}/feedback`)).feedback).toHaveLength(1);
    expect((await stack.api('DELETE', `/api/runs/${id}/feedback/${step.body.id}`)).status).toBe(404);
    expect((await stack.ok('GET', `/api/runs/${await seedRun('none')}`)).feedback).toBeNull();
    // A deleted run takes its feedback with it.
    expect((await stack.api('DELETE', `/api/runs/${id}`)).status).toBe(204);
    expect(Number((await stack.db.store.knex('run_feedback').where('runId', id).count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('refuses bad feedback with a 400 that names the problem, and stores nothing', async () => {
    const id = await seedRun('pears');
    const cases: Array<[unknown, RegExp]> = [
      [{ score: 0 }, /score/],
      [{ score: 6 }, /score/],
      [{ score: 2.5 }, /score/],
      [{ thumbs: 'sideways' }, /thumbs/],
      [{ label: 'no-such-label' }, /unknown label 'no-such-label'.*incorrect/],
      [{ stepId: 'ghost', score: 3 }, /no step 'ghost'.*up/],
      [{}, /thumbs, a score, a label or a note/],
      [{ score: 3, extra: 1 }, /extra/],
    ];
    for (const [body, message] of cases) {
      const res = await rate(id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await stack.ok('GET', `/api/runs/${id}/feedback`)).feedback).toEqual([]);
    const unknown = await rate('run_00000000nosuchrun', { score: 3 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/run_00000000nosuchrun/);
    expect((await stack.api('GET', '/api/runs?feedback=bad')).status).toBe(400);
  });

  it('filters the runs list by feedback, exactly', async () => {
    const down = await seedRun('filter down');
    const low = await seedRun('filter low');
    const labelled = await seedRun('filter labelled');
    const up = await seedRun('filter up');
    const high = await seedRun('filter high');
    const none = await seedRun('filter none');
    await stack.ok('POST', `/api/runs/${down}/feedback`, { thumbs: 'down' });
    await stack.ok('POST', `/api/runs/${low}/feedback`, { stepId: 'up', score: 2 });
    await stack.ok('POST', `/api/runs/${labelled}/feedback`, { label: 'unsafe' });
    await stack.ok('POST', `/api/runs/${up}/feedback`, { thumbs: 'up' });
    await stack.ok('POST', `/api/runs/${high}/feedback`, { score: 4, note: 'fine' });
    const mine = [down, low, labelled, up, high, none];
    const only = async (q: string) => (await listed(q)).filter((id) => mine.includes(id));
    expect(await only('&feedback=negative')).toEqual([down, low, labelled].sort());
    expect(await only('&feedback=positive')).toEqual([up, high].sort());
    expect(await only('&feedback=any')).toEqual([down, low, labelled, up, high].sort());
    expect(await only('&feedback=none')).toEqual([none]);
    // A label the project marks negative later makes its runs negative from then on.
    const { labels } = await stack.ok('GET', '/api/feedback/labels');
    await stack.ok('PUT', '/api/feedback/labels', {
      labels: labels.map((l: { name: string; negative: boolean }) =>
        l.name === 'unsafe' ? { ...l, negative: false } : l,
      ),
    });
    expect(await only('&feedback=negative')).toEqual([down, low].sort());
    await stack.ok('PUT', '/api/feedback/labels', { labels });
  });

  it('finds runs by the words of their feedback notes, with the words of their inputs', async () => {
    const id = await seedRun('bananas ripe');
    const other = await seedRun('bananas green');
    expect(await listed('&q=zyxwordnote')).toEqual([]);
    const f = await stack.ok('POST', `/api/runs/${id}/feedback`, { note: 'The zyxwordnote is missing' });
    expect(await listed('&q=zyxwordnote')).toEqual([id]);
    expect(await listed('&q=zyxword')).toEqual([id]);
    expect(await listed('&q=bananas%20zyxwordnote')).toEqual([id]);
    expect(await listed('&q=bananas')).toEqual([id, other].sort());
    await stack.ok('POST', `/api/runs/${id}/feedback`, { score: 1, note: 'another qwvnote' });
    expect(await listed('&q=zyxwordnote%20qwvnote')).toEqual([id]);
    await stack.api('DELETE', `/api/runs/${id}/feedback/${f.id}`);
    expect(await listed('&q=zyxwordnote')).toEqual([]);
    expect(await listed('&q=qwvnote')).toEqual([id]);
    // The run's own words are still found after its notes changed.
    expect(await listed('&q=ripe')).toEqual([id]);
  });

  it("keeps the project's labels: replaced as a whole, names unique", async () => {
    const before = (await stack.ok('GET', '/api/feedback/labels')).labels;
    expect(before).toContainEqual({ name: 'incorrect', negative: true });
    const bad = await stack.api('PUT', '/api/feedback/labels', {
      labels: [
        { name: 'a', negative: true },
        { name: 'a', negative: false },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/'a'.*twice/);
    const labels = [...before, { name: 'off-topic', negative: true }];
    expect((await stack.ok('PUT', '/api/feedback/labels', { labels })).labels).toEqual(labels);
    const id = await seedRun('labels');
    expect((await stack.ok('POST', `/api/runs/${id}/feedback`, { label: 'off-topic' })).negative).toBe(true);
    await stack.ok('PUT', '/api/feedback/labels', { labels: before });
  });

  it('exports a run with its events and its feedback', async () => {
    const id = await seedRun('export me');
    const f = await stack.ok('POST', `/api/runs/${id}/feedback`, { stepId: 'up', thumbs: 'down', note: 'too loud' });
    const res = await stack.api('GET', `/api/runs/${id}/export`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      format: 'vloop.run/1',
      run: { id, inputs: { text: 'export me' }, feedback: { count: 1, negative: 1 } },
      feedback: [{ id: f.id, stepId: 'up', thumbs: 'down', note: 'too loud', negative: true }],
    });
    expect(res.body.events.map((e: { type: string }) => e.type)).toEqual(['step.started', 'step.completed']);
    expect((await stack.api('GET', '/api/runs/run_00000000nosuchrun/export')).status).toBe(404);
    // The CLI writes the same document to a file (one run of it: it talks to the API, whichever the store).
    if (dialect !== 'sqlite') return;
    const out = path.join(stack.dir, 'run.json');
    const env = { HARNESS_PORT: String(stack.backend.port), HARNESS_TOKEN: TOKEN, VLOOP_PROJECT_DIR: stack.dir };
    const cli = spawnHarness(['runs', 'export', id, '-o', out], env);
    expect(await cli.exitCode, cli.output()).toBe(0);
    const written = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(written).toMatchObject({ format: 'vloop.run/1', run: { id }, feedback: [{ id: f.id }] });
  });

  it('adds the runs with negative feedback to a dataset through the runs-list filter', async () => {
    const bad = await seedRun('dataset bad');
    await seedRun('dataset good');
    await stack.ok('POST', `/api/runs/${bad}/feedback`, { thumbs: 'down' });
    await stack.ok('POST', '/api/datasets', { name: `neg-${dialect}` });
    const added = await stack.ok('POST', `/api/datasets/neg-${dialect}/runs`, {
      filter: { target: 'fbpipe', feedback: 'negative', q: 'dataset' },
    });
    expect(added.added).toBe(1);
    const view = await stack.ok('GET', `/api/datasets/neg-${dialect}`);
    expect(view.examples.map((e: { sourceRunId: string }) => e.sourceRunId)).toEqual([bad]);
  });
});

describe.each(dialects)('017_feedback down and up again (%s)', (dialect) => {
  it('keeps the runs search whole: notes leave it on the way down, inputs stay found, and notes come back', async () => {
    const db = await freshStore(dialect);
    try {
      const { store } = db;
      const found = async (text: string) => (await listRuns(store, { text, limit: 10 })).runs.map((r) => r.id);
      const target = { type: 'pipeline' as const, id: 'p', name: 'p', version: 1 };
      const a = (await createRun(store, { id: newId('run'), kind: 'pipeline', target, inputs: { text: 'alpha' } })).id;
      await store.knex('runs').where('id', a).update({ feedbackNotes: 'zebra' });
      expect(await found('zebra')).toEqual([a]);
      await store.knex.migrate.down({ migrationSource, name: '017_feedback' });
      expect(await found('zebra')).toEqual([]);
      await store
        .knex('runs')
        .where('id', a)
        .update({ inputs: JSON.stringify({ text: 'gamma' }) });
      expect(await found('gamma')).toEqual([a]);
      expect(await found('alpha')).toEqual([]);
      await migrate(store);
      await store.knex('runs').where('id', a).update({ feedbackNotes: 'yak' });
      expect(await found('yak')).toEqual([a]);
      expect(await found('gamma')).toEqual([a]);
    } finally {
      await db.drop();
    }
  });
});
