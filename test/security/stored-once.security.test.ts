// Class 12: a large output is stored once. A model answers ~1 MB; after the run, a run of the same call
// through the step cache and a fork, the store holds that value about once in clear text and once
// encrypted for Temporal, while every reader (the run, its events, /ws, the step cache) still sees all of it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPredictReply } from '../../core/adapters.js';
import { REDACTED } from '../../core/redact.js';
import { appendEvents, createRun, listEvents } from '../../db/repositories/runs.js';
import { findCachedStep } from '../../db/repositories/step-cache.js';
import { forgetRunValues } from '../../db/repositories/stored-values.js';
import type { Store } from '../../db/knex.js';
import { dialects, freshStore, type TestStore } from '../helpers/db.js';
import { promptOp } from '../helpers/echo-model.js';
import { startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import { collectFrames, untilEvent } from '../helpers/ws.js';

const MB = 1024 * 1024;
const MARKER = `stored-once-${randomBytes(8).toString('hex')}`;
/**
 * `chars` of random text in which no secret turns up by chance. Not hex: one of the token's and keys' 8-character
 * hex pieces did now and then. Not base64url: its "-" let "-sk-" and sixteen more characters, a key's shape, turn
 * up about once in sixteen megabytes (CI saw it). Standard base64 has no "-", so neither can.
 */
const filler = (chars: number) =>
  randomBytes(Math.ceil((chars * 3) / 4))
    .toString('base64')
    .slice(0, chars);
/** ~1 MB of text that does not compress to nothing: the marker, then random words. */
const ANSWER = `${MARKER} ${filler(MB)}`;
const API_KEY = 'sk-test-0123456789abcdef';
/** A large answer that repeats the provider's key: what is stored must be the redacted text. */
const LEAK = `${MARKER} leak ${filler(MB / 4)} ${API_KEY} ${filler(MB / 4)}`;

/** Every byte the tables that hold run data keep (each test's store is its own, so all of it is these runs'). */
async function storedBytes(store: Store): Promise<Record<string, number>> {
  const tables = ['run_events', 'runs', 'step_cache', 'payload_artifacts', 'stored_values'];
  const sizes: Record<string, number> = {};
  for (const table of tables) {
    if (!(await store.knex.schema.hasTable(table))) continue;
    const rows = (await store.knex(table).select('*')) as Array<Record<string, unknown>>;
    sizes[table] = rows.reduce<number>(
      (n, row) =>
        n +
        Object.values(row).reduce<number>(
          (m, v) => m + (Buffer.isBuffer(v) ? v.byteLength : typeof v === 'string' ? Buffer.byteLength(v) : 0),
          0,
        ),
      0,
    );
  }
  return sizes;
}

describe.each(dialects)('a 1 MB answer on %s', (dialect) => {
  let stack: TestStack;
  const runs: string[] = [];
  beforeAll(async () => {
    stack = await startTestStack({
      dialect,
      script: (req) => formatPredictReply({ answer: promptOp(req) === 'leak' ? LEAK : ANSWER }),
    });
    await stack.ok('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: stack.fake.baseUrl,
      apiKey: API_KEY,
      defaultModel: 'fake-model',
    });
    await stack.ok('POST', '/api/components', {
      name: 'long',
      signature: 'text: str -> answer: str',
      instructions: 'answer at length',
      provider: 'fake',
      params: { stream: false },
    });
    await stack.ok('POST', '/api/pipelines', {
      name: 'long-answer',
      inputs: { text: 'str' },
      steps: [{ id: 'big', component: 'long', inputs: { text: '$inputs.text' } }],
      outputs: { answer: '$steps.big.outputs.answer' },
    });
    for (const start of [
      () => stack.ok('POST', '/api/pipelines/long-answer/runs', { inputs: { text: 'go' }, cache: 'reuse' }),
      () => stack.ok('POST', '/api/pipelines/long-answer/runs', { inputs: { text: 'go' }, cache: 'reuse' }),
      () => stack.ok('POST', `/api/runs/${runs[0]}/fork`, { fromStep: 'big' }),
    ]) {
      const run = await waitForRun(stack, (await start()).id, 90_000);
      expect(run.status).toBe('completed');
      runs.push(run.id);
    }
  }, 240_000);
  afterAll(() => stack?.close());

  it('keeps the value about once in clear text and once encrypted', async () => {
    const sizes = await storedBytes(stack.backend.app.store);
    const total = (tables: string[]) => tables.reduce((n, t) => n + (sizes[t] ?? 0), 0);
    const clear = total(['run_events', 'runs', 'step_cache', 'stored_values']);
    const all = clear + total(['payload_artifacts']);
    const summary = `${JSON.stringify(sizes)} for three runs of a ${(ANSWER.length / MB).toFixed(2)} MB answer`;
    // Once in clear (1 MB) plus small rows; the encrypted copy Temporal needs adds about 1 MB more.
    expect(clear, `clear-text bytes ${summary}`).toBeLessThan(1.5 * MB);
    expect(all, `all bytes ${summary}`).toBeLessThan(2.5 * MB);
  });

  it('answers the whole value to every reader', async () => {
    const [first, cached, fork] = runs as [string, string, string];
    for (const id of runs) expect((await stack.ok('GET', `/api/runs/${id}`)).outputs.answer).toBe(ANSWER);
    const events = (await stack.ok('GET', `/api/runs/${first}/events`)).events as Array<{ type: string; data: any }>;
    const response = events.find((e) => e.type === 'llm.response')!;
    expect(response.data.text).toContain(ANSWER);
    expect(response.data.outputs.answer).toBe(ANSWER);
    expect(events.find((e) => e.type === 'step.completed')!.data.outputs.answer).toBe(ANSWER);
    expect(events.find((e) => e.type === 'run.completed')!.data.outputs.answer).toBe(ANSWER);
    const cachedEvents = (await stack.ok('GET', `/api/runs/${cached}/events`)).events as Array<{
      type: string;
      data: any;
    }>;
    expect(cachedEvents.some((e) => e.type === 'step.reused')).toBe(true);
    expect(cachedEvents.find((e) => e.type === 'step.completed')!.data.outputs.answer).toBe(ANSWER);
    const frames = await collectFrames(stack.backend.url, fork, 0, untilEvent('run.completed'));
    const completed = frames.find((f) => f.event?.type === 'run.completed')!;
    expect(completed.event!.data.outputs.answer).toBe(ANSWER);
    const rows = (await stack.backend.app.store.knex('step_cache').select('key')) as Array<{ key: string }>;
    expect(rows.length).toBeGreaterThan(0);
    for (const { key } of rows)
      expect((await findCachedStep(stack.backend.app.store, key))!.outputs.answer).toBe(ANSWER);
  });

  it('stores the redacted text of a large value an event or a run holds, never the secret in it', async () => {
    await stack.ok('POST', '/api/components', {
      name: 'leaky',
      signature: 'text: str -> answer: str',
      instructions: 'op: leak',
      provider: 'fake',
      params: { stream: false },
    });
    await stack.ok('POST', '/api/pipelines', {
      name: 'leaky-answer',
      inputs: { text: 'str' },
      steps: [{ id: 'big', component: 'leaky', inputs: { text: '$inputs.text' } }],
      outputs: { answer: '$steps.big.outputs.answer' },
    });
    const run = await waitForRun(
      stack,
      (await stack.ok('POST', '/api/pipelines/leaky-answer/runs', { inputs: { text: 'go' } })).id,
      90_000,
    );
    const redacted = LEAK.replace(API_KEY, REDACTED);
    expect(run.outputs.answer).toBe(redacted);
    const events = (await stack.ok('GET', `/api/runs/${run.id}/events`)).events as Array<{ type: string; data: any }>;
    expect(events.find((e) => e.type === 'step.completed')!.data.outputs.answer).toBe(redacted);
    // The values the run's events and its row refer to.
    const store = stack.backend.app.store;
    const written = [
      ...(await store.knex('run_events').where('runId', run.id).select('data')).map((r: { data: string }) => r.data),
      (await store.knex('runs').where('id', run.id).first('outputs')).outputs as string,
    ];
    const hashes = written.flatMap((t) => [...t.matchAll(/"sha256:([0-9a-f]{64})"/g)].map((m) => m[1]!));
    expect(hashes.length).toBeGreaterThan(0);
    for (const row of (await store.knex('stored_values').whereIn('sha256', hashes).select('text')) as Array<{
      text: string;
    }>)
      expect(row.text).not.toContain(API_KEY);
  }, 120_000);
});

describe.each(dialects)('stored values on %s', (dialect) => {
  let db: TestStore;
  beforeAll(async () => {
    db = await freshStore(dialect);
  });
  afterAll(() => db?.drop());

  it('keeps a value while a run refers to it, and deletes it with the last one', async () => {
    const { store } = db;
    const value = `${MARKER} shared ${filler(128 * 1024)}`;
    const reply = `[[ ## answer ## ]]\n${value}\n[[ ## completed ## ]]`;
    for (const id of ['run-a', 'run-b']) {
      await createRun(store, {
        id,
        kind: 'pipeline',
        target: { type: 'pipeline', id: 'p', name: 'p', version: 1 },
        inputs: {},
      });
      await appendEvents(store, id, [
        { key: 'r', type: 'llm.response', data: { callId: 'c', text: reply, outputs: { answer: value } } } as never,
      ]);
    }
    // One row for the value, one small one for the reply around it.
    const rows = (await store.knex('stored_values').select('bytes')) as Array<{ bytes: number }>;
    expect(rows.map((r) => Number(r.bytes)).sort((a, b) => a - b)).toEqual([
      Buffer.byteLength(value),
      Buffer.byteLength(reply),
    ]);
    const text = async () =>
      (await store.knex('stored_values').select('text')).reduce(
        (n: number, r: { text: string }) => n + r.text.length,
        0,
      );
    expect(await text()).toBeLessThan(value.length + 200);
    expect((await listEvents(store, 'run-b'))[0]!.data).toEqual({
      callId: 'c',
      text: reply,
      outputs: { answer: value },
    });
    await store.knex('runs').where('id', 'run-a').del();
    await forgetRunValues(store.knex, 'run-a');
    expect((await listEvents(store, 'run-b'))[0]!.data).toEqual({
      callId: 'c',
      text: reply,
      outputs: { answer: value },
    });
    await store.knex('runs').where('id', 'run-b').del();
    await forgetRunValues(store.knex, 'run-b');
    expect(Number((await store.knex('stored_values').count({ n: '*' }))[0]!.n)).toBe(0);
  });
});
