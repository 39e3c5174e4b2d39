// The same store tests on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../core/ids.js';
import type { NewRunEvent } from '../../core/run-story/events.js';
import { ConflictError, NotFoundError } from '../../db/errors.js';
import {
  addUsage,
  appendEvents,
  createRun,
  getRun,
  listEvents,
  listRuns,
  updateRun,
  type RunFilter,
} from '../../db/repositories/runs.js';
import { eventPageText, runViewPage, runViewText } from '../../db/repositories/run-views.js';
import { components } from '../../db/repositories/versioned.js';
import * as ds from '../../db/repositories/datasets.js';
import { insertProvider } from '../../db/repositories/providers.js';
import { dialects, freshStore, type TestStore } from '../helpers/db.js';
import { runTs } from '../helpers/processes.js';

const log = (key: string): NewRunEvent => ({ type: 'log', key, data: { level: 'info', message: key } });
const target = { type: 'pipeline' as const, id: 'p', name: 'p', version: 1 };

describe.each(dialects)('store (%s)', (dialect) => {
  let db: TestStore;
  beforeAll(async () => {
    db = await freshStore(dialect);
    await insertProvider(db.store, {
      name: 'p',
      type: 'openai',
      baseUrl: null,
      apiKeyEnc: null,
      defaultModel: 'm',
      options: { pricing: { m: { input: 1, output: 2 } } },
    });
  });
  afterAll(() => db?.drop());

  it('keeps seq gap-free under concurrent appends from three processes and skips repeated keys', async () => {
    const run = await createRun(db.store, { id: newId('run'), kind: 'pipeline', target, inputs: { a: 1 } });
    const writers = ['a', 'b', 'c'].map((prefix) =>
      runTs('test/helpers/append-events.ts', [dialect, db.url, run.id, prefix, '15']),
    );
    await Promise.all([
      ...writers,
      ...Array.from({ length: 5 }, (_, i) => appendEvents(db.store, run.id, [log(`k${i}`), log(`k${i}b`)])),
    ]);
    const again = await appendEvents(db.store, run.id, [log('k3'), log('k3b'), log('a3'), log('new')]);
    expect(again.appended).toBe(1);
    const events = await listEvents(db.store, run.id);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 56 }, (_, i) => i + 1));
    expect(new Set(events.map((e) => (e.data as { message: string }).message)).size).toBe(56);
    expect((await listEvents(db.store, run.id, 54)).map((e) => e.seq)).toEqual([55, 56]);
    expect((await getRun(db.store, run.id)).lastSeq).toBe(56);
  });

  it('appends a large batch at once', async () => {
    const run = await createRun(db.store, { id: newId('run'), kind: 'pipeline', target, inputs: {} });
    const { lastSeq, appended } = await appendEvents(
      db.store,
      run.id,
      Array.from({ length: 1500 }, (_, i) => log(`bulk${i}`)),
    );
    expect({ lastSeq, appended }).toEqual({ lastSeq: 1500, appended: 1500 });
  });

  it('moves status with events, and a terminal status is final', async () => {
    const run = await createRun(db.store, { id: newId('run'), kind: 'pipeline', target, inputs: {} });
    await appendEvents(
      db.store,
      run.id,
      [{ type: 'run.started', key: 'run.started', data: { kind: 'pipeline', target, inputs: {} } }],
      { status: 'running' },
    );
    // The run started when its run.started was written, and ended when the terminal status was.
    const [started] = await listEvents(db.store, run.id, 0, 10);
    expect(String((await getRun(db.store, run.id)).startedAt)).toBe(String(started!.time));
    const ending = Date.now();
    await updateRun(db.store, run.id, { status: 'completed', outputs: { x: 1 } });
    expect(await updateRun(db.store, run.id, { status: 'running' })).toBe(false);
    const row = await getRun(db.store, run.id);
    expect(row).toMatchObject({ status: 'completed', outputs: { x: 1 } });
    expect(Date.parse(String(row.endedAt))).toBeGreaterThanOrEqual(ending - 1000);
    expect(Date.parse(String(row.endedAt))).toBeLessThanOrEqual(Date.now() + 1000);
    await addUsage(db.store.knex, run.id, { inputTokens: 10, outputTokens: 5, costUsd: 0.25 });
    await addUsage(db.store.knex, run.id, { inputTokens: 1, outputTokens: 1, costUsd: 0.25 });
    expect(await getRun(db.store, run.id)).toMatchObject({ inputTokens: 11, outputTokens: 6, costUsd: 0.5 });
  });

  it('pages runs newest first by cursor and filters', async () => {
    const page1 = await listRuns(db.store, { limit: 1 });
    expect(page1.runs).toHaveLength(1);
    const page2 = await listRuns(db.store, { limit: 5, cursor: page1.nextCursor! });
    expect(page2.runs[0]!.id < page1.runs[0]!.id).toBe(true);
    expect(
      (await listRuns(db.store, { limit: 5, status: 'completed' })).runs.every((r) => r.status === 'completed'),
    ).toBe(true);
  });

  it('writes run views as JSON in the database, every field, on pages and one by one', async () => {
    const ui = { workflowsUrl: 'http://ui/namespaces/default/workflows/' };
    const plain = await createRun(db.store, {
      id: newId('run'),
      kind: 'pipeline',
      target,
      inputs: { text: 'a "quoted"\nline', n: [1, 2] },
    });
    await appendEvents(
      db.store,
      plain.id,
      [log('x')],
      { status: 'failed', error: { message: 'step s failed: boom', type: 'StepFailed' } },
      { inputTokens: 3, outputTokens: 2, costUsd: 0.000015 },
    );
    await updateRun(db.store, plain.id, { temporalRunId: 'tr-1' });
    const forked = await createRun(db.store, {
      id: newId('run'),
      kind: 'component',
      target,
      inputs: {},
      origin: 'app:digest@2',
      forkOf: { runId: plain.id, step: 's1' },
      traceId: 'ab'.repeat(16),
    });
    await updateRun(db.store, forked.id, { status: 'completed', outputs: { summary: 'ünïcödé ✓' } });
    const child = await createRun(db.store, { id: `${plain.id}-ex one/2`, kind: 'pipeline', target, inputs: {} });

    const a = JSON.parse(await runViewText(db.store, ui, plain.id));
    const row = await getRun(db.store, plain.id);
    expect(a).toEqual({
      id: plain.id,
      kind: 'pipeline',
      status: 'failed',
      target,
      inputs: { text: 'a "quoted"\nline', n: [1, 2] },
      outputs: null,
      error: { message: 'step s failed: boom', type: 'StepFailed' },
      createdAt: row.createdAt,
      startedAt: null,
      endedAt: row.endedAt,
      lastSeq: 1,
      origin: null,
      forkOf: null,
      traceId: null,
      archivedAt: null,
      chat: null,
      usage: { inputTokens: 3, outputTokens: 2, costUsd: 0.000015 },
      temporal: {
        workflowId: plain.id,
        runId: 'tr-1',
        uiUrl: `http://ui/namespaces/default/workflows/${plain.id}/tr-1/history`,
      },
      feedback: null,
    });
    const b = JSON.parse(await runViewText(db.store, ui, forked.id));
    expect(b).toMatchObject({
      status: 'completed',
      outputs: { summary: 'ünïcödé ✓' },
      origin: 'app:digest@2',
      forkOf: { runId: plain.id, step: 's1' },
      traceId: 'ab'.repeat(16),
      temporal: { runId: null, uiUrl: `http://ui/namespaces/default/workflows/${forked.id}/history` },
    });
    // A workflow id that is not a URL segment by itself is escaped in the link.
    expect(JSON.parse(await runViewText(db.store, ui, child.id)).temporal.uiUrl).toBe(
      `http://ui/namespaces/default/workflows/${encodeURIComponent(child.id)}/history`,
    );
    await expect(runViewText(db.store, ui, 'run_nothere00')).rejects.toBeInstanceOf(NotFoundError);

    const page = await runViewPage(db.store, ui, { limit: 2, origin: 'app:digest@' });
    expect({ ids: page.views.map((v) => JSON.parse(v).id), nextCursor: page.nextCursor }).toEqual({
      ids: [forked.id],
      nextCursor: null,
    });
    const first = await runViewPage(db.store, ui, { limit: 1 });
    const next = await runViewPage(db.store, ui, { limit: 1, cursor: first.nextCursor! });
    expect(JSON.parse(next.views[0]!).id < JSON.parse(first.views[0]!).id).toBe(true);
  });

  it('lists runs by origin: any app, an app, an eval or optimizer parent, forks of any run or of one', async () => {
    const source = await createRun(db.store, {
      id: newId('run'),
      kind: 'pipeline',
      target,
      inputs: { text: 'originwalk' },
    });
    const fork = await createRun(db.store, {
      id: newId('run'),
      kind: 'pipeline',
      target,
      inputs: { text: 'originwalk' },
      forkOf: { runId: source.id, step: 's1' },
    });
    const appRun = await createRun(db.store, {
      id: newId('run'),
      kind: 'pipeline',
      target,
      inputs: { text: 'originwalk' },
      origin: 'app:walker@1',
    });
    const example = await createRun(db.store, {
      id: `${source.id}-ex1`,
      kind: 'pipeline',
      target,
      inputs: { text: 'originwalk' },
      origin: `eval:${source.id}`,
    });
    const trial = await createRun(db.store, {
      id: `${source.id}-t1`,
      kind: 'pipeline',
      target,
      inputs: { text: 'originwalk' },
      origin: `optimize:${source.id}`,
    });
    const ids = async (filter: RunFilter) =>
      (await listRuns(db.store, { ...filter, text: 'originwalk', limit: 50 })).runs.map((r) => r.id).sort();
    expect(await ids({ origin: 'fork' })).toEqual([fork.id]);
    expect(await ids({ origin: `fork:${source.id}` })).toEqual([fork.id]);
    expect(await ids({ origin: `fork:${fork.id}` })).toEqual([]);
    expect(await ids({ origin: 'app' })).toEqual([appRun.id]);
    expect(await ids({ origin: 'app:walker@' })).toEqual([appRun.id]);
    expect(await ids({ origin: 'eval' })).toEqual([example.id]);
    expect(await ids({ origin: `optimize:${source.id}` })).toEqual([trial.id]);
    // Without an origin, the top level is everything but an eval's examples and an optimizer's trials.
    expect(await ids({ topLevel: true })).toEqual([source.id, fork.id, appRun.id].sort());
  });

  it("an optimizer's view counts its trials' usage with its own (a text search's page too)", async () => {
    const ui = { workflowsUrl: 'http://ui/namespaces/default/workflows/' };
    const opt = await createRun(db.store, { id: newId('run'), kind: 'optimize', target, inputs: { text: 'trialsum' } });
    for (const [i, n] of [100, 20].entries()) {
      const trial = await createRun(db.store, {
        id: `${opt.id}-t${i}`,
        kind: 'component',
        target,
        inputs: {},
        origin: `optimize:${opt.id}`,
      });
      await addUsage(db.store.knex, trial.id, { inputTokens: n, outputTokens: 1, costUsd: 0.25 });
    }
    await addUsage(db.store.knex, opt.id, { inputTokens: 5, outputTokens: 0, costUsd: 0.5 });
    const usage = { inputTokens: 125, outputTokens: 2, costUsd: 1 };
    expect(JSON.parse(await runViewText(db.store, ui, opt.id)).usage).toEqual(usage);
    expect(JSON.parse((await runViewPage(db.store, ui, { limit: 5, text: 'trialsum' })).views[0]!).usage).toEqual(
      usage,
    );
  });

  it('writes a page of events as JSON in the database, the same events listEvents reads', async () => {
    const run = await createRun(db.store, { id: newId('run'), kind: 'pipeline', target, inputs: {} });
    await appendEvents(db.store, run.id, [
      log('a'),
      {
        type: 'llm.response',
        key: 'r',
        data: { callId: 'c', text: 'é "q"\n\u0000', usage: { inputTokens: 1, outputTokens: 2 }, costUsd: 0.5 },
      } as never,
      log('b'),
      log('c'),
    ]);
    for (const [after, limit] of [
      [0, 10],
      [1, 2],
      [4, 5],
    ] as const) {
      expect(JSON.parse(await eventPageText(db.store, run.id, after, limit))).toEqual(
        await listEvents(db.store, run.id, after, limit),
      );
    }
    expect(JSON.parse(await eventPageText(db.store, run.id, 1, 2)).map((e: { seq: number }) => e.seq)).toEqual([2, 3]);
  });

  it('answers a kept page only while the store is unchanged, whichever process wrote to it', async () => {
    const run = await createRun(db.store, { id: newId('run'), kind: 'pipeline', target, inputs: {} });
    let computed = 0;
    const seqs = async () => {
      const text = await db.store.pages.get(`test events ${run.id}`, () => {
        computed++;
        return eventPageText(db.store, run.id, 0, 100);
      });
      return (JSON.parse(text) as { seq: number }[]).map((e) => e.seq);
    };
    expect(await seqs()).toEqual([]);
    expect(await seqs()).toEqual([]);
    // SQLite keeps the answer; PostgreSQL computes every time.
    expect(computed).toBe(dialect === 'sqlite' ? 1 : 2);
    await appendEvents(db.store, run.id, [log('mine')]);
    expect(await seqs()).toEqual([1]);
    await runTs('test/helpers/append-events.ts', [dialect, db.url, run.id, 'theirs', '3']);
    expect(await seqs()).toEqual([1, 2, 3, 4]);
    // A status change in this process shows on the next read of a page that was kept.
    const status = async () =>
      JSON.parse(
        await db.store.pages.get(`test view ${run.id}`, () => runViewText(db.store, { workflowsUrl: 'u/' }, run.id)),
      ).status as string;
    expect(await status()).toBe('queued');
    await updateRun(db.store, run.id, { status: 'running' });
    expect(await status()).toBe('running');
  });

  it('finds runs by a word of their inputs or outputs, kept by the database as runs are written and finished', async () => {
    const digest = { type: 'pipeline' as const, id: 'd', name: 'digest', version: 1 };
    const a = await createRun(db.store, {
      id: newId('run'),
      kind: 'pipeline',
      target: digest,
      inputs: { text: 'The Zeppelin review' },
    });
    const b = await createRun(db.store, {
      id: newId('run'),
      kind: 'component',
      target,
      inputs: { text: 'nothing here' },
    });
    await updateRun(db.store, b.id, { status: 'completed', outputs: { summary: 'Café crème: a marmalade verdict' } });
    const found = async (filter: RunFilter) =>
      (await listRuns(db.store, { ...filter, limit: 50 })).runs.map((r) => r.id);
    expect(await found({ text: 'zeppelin' })).toEqual([a.id]);
    expect(await found({ text: 'marmal' })).toEqual([b.id]); // the start of a word
    expect(await found({ text: 'CAFÉ verdict' })).toEqual([b.id]); // every word, any case
    expect(await found({ text: 'verdict zeppelin' })).toEqual([]);
    expect(await found({ text: 'summary' })).toEqual([]); // keys are not searched, only values
    expect(await found({ text: '!!!' })).toEqual([]);
    // Outputs written later are found; replaced ones are not.
    await updateRun(db.store, a.id, { status: 'completed', outputs: { summary: 'quixotic' } });
    expect(await found({ text: 'quixotic' })).toEqual([a.id]);
    expect(await found({ text: 'zeppelin', target: 'digest', kind: 'pipeline' })).toEqual([a.id]);
    expect(await found({ text: 'zeppelin', target: 'p' })).toEqual([]);
    const created = (await getRun(db.store, a.id)).createdAt;
    expect(await found({ text: 'zeppelin', since: created })).toEqual([a.id]);
    expect(await found({ text: 'zeppelin', until: created })).toEqual([]);
    const views = await runViewPage(db.store, { workflowsUrl: 'http://ui/' }, { limit: 5, text: 'marmalade' });
    expect(views.views.map((v) => JSON.parse(v).id)).toEqual([b.id]);
    // Search results page by cursor like any listing: newest first, each once.
    const walkers = [];
    for (let i = 0; i < 3; i++)
      walkers.push(
        (await createRun(db.store, { id: newId('run'), kind: 'pipeline', target, inputs: { text: `pagewalk ${i}` } }))
          .id,
      );
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listRuns(db.store, { text: 'pagewalk', limit: 1, cursor });
      seen.push(...page.runs.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...walkers].reverse());
  });

  it("fixes an eval's examples once, in id order, from a dataset's split or given ids", async () => {
    const d = await ds.createDataset(db.store, { name: `snap-${newId('x')}` });
    await ds.addExamples(
      db.store,
      d.id,
      Array.from({ length: 7 }, (_, i) => ({
        inputs: { i },
        expected: {},
        split: i % 2 ? ('train' as const) : ('dev' as const),
      })),
    );
    const dev = (await ds.listExamples(db.store, d.id, 'dev')).map((e) => e.id);
    const evalRun = await createRun(db.store, { id: newId('run'), kind: 'eval', target, inputs: {} });
    expect(await ds.snapshotEvalExamples(db.store, evalRun.id, { dataset: { id: d.id, split: 'dev' } })).toBe(4);
    // A retried start, or examples added since, change nothing.
    await ds.addExamples(db.store, d.id, [{ inputs: { late: true }, expected: {}, split: 'dev' }]);
    expect(await ds.snapshotEvalExamples(db.store, evalRun.id, { dataset: { id: d.id, split: 'dev' } })).toBe(4);
    const at = await Promise.all([0, 1, 2, 3].map((p) => ds.evalExampleAt(db.store, evalRun.id, p)));
    expect(at.map((a) => a!.exampleId)).toEqual(dev);
    expect(at[2]!.example).toMatchObject({ id: dev[2], inputs: { i: 4 } });
    expect(await ds.evalExampleAt(db.store, evalRun.id, 4)).toBeUndefined();
    // A deleted example is still at its position, without content.
    await ds.deleteExample(db.store, d.id, dev[1]!);
    expect(await ds.evalExampleAt(db.store, evalRun.id, 1)).toEqual({ exampleId: dev[1], example: null });
    expect(await ds.countExamples(db.store, d.id, 'dev')).toBe(4);
    expect(await ds.countExamples(db.store, d.id)).toBe(7);
    const given = await createRun(db.store, { id: newId('run'), kind: 'eval', target, inputs: {} });
    const ids = Array.from({ length: 1203 }, (_, i) => `ex_${i}`);
    expect(await ds.snapshotEvalExamples(db.store, given.id, { exampleIds: ids })).toBe(1203);
    expect((await ds.evalExampleAt(db.store, given.id, 1202))!.exampleId).toBe('ex_1202');
  });

  it("fixes a resumed eval's examples: the source's unfinished and errored ones still in the dataset, in its order, with every finished result copied", async () => {
    const d = await ds.createDataset(db.store, { name: `resume-${newId('x')}` });
    await ds.addExamples(
      db.store,
      d.id,
      Array.from({ length: 7 }, (_, i) => ({ inputs: { i }, expected: {}, split: 'dev' as const })),
    );
    const ids = (await ds.listExamples(db.store, d.id)).map((e) => e.id);
    const source = await createRun(db.store, { id: newId('run'), kind: 'eval', target, inputs: {} });
    await ds.snapshotEvalExamples(db.store, source.id, { exampleIds: ids });
    const result = (evalRunId: string, i: number, error: string | null) =>
      ds.saveEvalResult(db.store, evalRunId, {
        exampleId: ids[i]!,
        childRunId: `${evalRunId}-${i}`,
        outputs: error ? null : { answer: i },
        scores: { exact_match: error ? 0 : 1 },
        details: null,
        error,
        inputTokens: 7,
        outputTokens: 3,
        costUsd: 0.5,
      });
    // 0, 2 and 5 finished; 3 errored; 1, 4 and 6 never ran, and 6 has left the dataset since.
    for (const i of [0, 2, 5]) await result(source.id, i, null);
    await result(source.id, 3, 'the provider is overloaded');
    await ds.deleteExample(db.store, d.id, ids[6]!);
    expect(await ds.resumableExamples(db.store, source.id)).toEqual({ fixed: 7, left: 3, kept: 3 });
    const resumed = await createRun(db.store, { id: newId('run'), kind: 'eval', target, inputs: {} });
    expect(await ds.snapshotEvalExamples(db.store, resumed.id, { resumeOf: source.id })).toBe(3);
    // A retried start changes nothing.
    expect(await ds.snapshotEvalExamples(db.store, resumed.id, { resumeOf: source.id })).toBe(3);
    const at = await Promise.all([0, 1, 2].map((p) => ds.evalExampleAt(db.store, resumed.id, p)));
    expect(at.map((a) => a!.exampleId)).toEqual([ids[1], ids[3], ids[4]]);
    const copied = await ds.listEvalResults(db.store, resumed.id);
    expect(copied.map((r) => [r.exampleId, r.childRunId, r.outputs, r.error, r.inputTokens, r.costUsd]).sort()).toEqual(
      [0, 2, 5].map((i) => [ids[i], `${source.id}-${i}`, { answer: i }, null, 0, 0]).sort(),
    );
    // The resume finishes 1 and errors on 3 again: resuming it keeps all five finished results and runs 3 and 4.
    await result(resumed.id, 1, null);
    await result(resumed.id, 3, 'the provider is overloaded');
    expect(await ds.resumableExamples(db.store, resumed.id)).toEqual({ fixed: 3, left: 2, kept: 4 });
    const again = await createRun(db.store, { id: newId('run'), kind: 'eval', target, inputs: {} });
    expect(await ds.snapshotEvalExamples(db.store, again.id, { resumeOf: resumed.id })).toBe(2);
    expect((await ds.listEvalResults(db.store, again.id)).map((r) => r.exampleId).sort()).toEqual(
      [0, 1, 2, 5].map((i) => ids[i]).sort(),
    );
  });

  it('keeps immutable numbered versions', async () => {
    const spec = { name: 'c1', kind: 'predict' as const, adapter: 'auto' as const, signature: 'a -> b', provider: 'p' };
    await components.create(db.store, spec);
    await expect(components.create(db.store, spec)).rejects.toBeInstanceOf(ConflictError);
    await components.addVersion(db.store, 'c1', { ...spec, instructions: 'v2' });
    const got = await components.get(db.store, 'c1');
    expect(got.latestVersion).toBe(2);
    expect(got.versions.map((v) => v.version)).toEqual([1, 2]);
    expect((await components.getVersion(db.store, 'c1', 1)).spec.instructions).toBeUndefined();
    expect((await components.getVersion(db.store, 'c1')).spec.instructions).toBe('v2');
    await expect(components.getVersion(db.store, 'c1', 9)).rejects.toBeInstanceOf(NotFoundError);
  });
});
