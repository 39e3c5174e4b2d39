// Weeks of finished runs written into a project's store with the store's own writers (createRun, appendEvents: the
// events, the usage and the model-call rows the overview reads), then moved back to the moment each one happened.
import { newId } from '../../core/ids.js';
import { aggregate } from '../../core/metrics.js';
import { llmRequest, llmResponse, runCompleted, runFailed, runStarted } from '../../core/run-story/events.js';
import { openStore, type Store } from '../../db/knex.js';
import { appendEvents, createRun } from '../../db/repositories/runs.js';
import { saveEvalResult } from '../../db/repositories/datasets.js';

export interface PastRun {
  target: string;
  status: 'completed' | 'failed';
  /** When it was created; it ends `wallMs` later. */
  at: Date;
  wallMs: number;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  origin?: string;
}

export interface PastEval {
  target: string;
  version: number;
  dataset: string;
  at: Date;
  /** Each example's scores; the eval's score is their mean. */
  examples: Array<Record<string, number>>;
}

const iso = (t: number) => new Date(t).toISOString();

/** One run's story: started, one model call, then its end; the same events a component run writes. */
async function writeRun(store: Store, r: PastRun): Promise<string> {
  const target = { type: 'component' as const, id: `c-${r.target}`, name: r.target, version: 1 };
  const id = newId('run', r.at.getTime());
  const inputs = { text: `seeded ${r.target}` };
  await createRun(store, { id, kind: 'component', target, inputs, origin: r.origin });
  const call = { callId: 'predict', stepId: 'predict', attempt: 1 };
  await appendEvents(store, id, [runStarted({ kind: 'component', target, inputs })], { status: 'running' });
  const usage = { inputTokens: r.inputTokens, outputTokens: r.outputTokens, costUsd: r.costUsd };
  await appendEvents(
    store,
    id,
    [
      llmRequest({ ...call, provider: r.provider, model: r.model, messages: [{ role: 'user', content: inputs.text }] }),
      llmResponse({
        ...call,
        text: 'done',
        usage: { inputTokens: r.inputTokens, outputTokens: r.outputTokens },
        latencyMs: Math.round(r.wallMs * 0.8),
        costUsd: r.costUsd,
      }),
    ],
    undefined,
    usage,
  );
  const end =
    r.status === 'failed'
      ? {
          event: runFailed({ error: 'seeded failure' }),
          patch: { status: 'failed' as const, error: { message: 'seeded failure' } },
        }
      : {
          event: runCompleted({ outputs: { result: 'ok' } }),
          patch: { status: 'completed' as const, outputs: { result: 'ok' } },
        };
  await appendEvents(store, id, [end.event], end.patch);
  await moveBack(store, id, r.at.getTime(), r.wallMs);
  return id;
}

/** Put a written run at the moment it happened: its clock columns, its events' times and its model calls'. */
export async function moveBack(store: Store, runId: string, at: number, wallMs: number): Promise<void> {
  const end = at + wallMs;
  const { knex } = store;
  await knex('runs')
    .where('id', runId)
    .update({ createdAt: iso(at), startedAt: iso(at), endedAt: iso(end), updatedAt: iso(end) });
  // Spread evenly from its start to its end: the last event is the run's end.
  const events: Array<{ id: number }> = await knex('run_events').where('runId', runId).orderBy('seq').select('id');
  const step = events.length > 1 ? wallMs / (events.length - 1) : 0;
  for (const [i, e] of events.entries())
    await knex('run_events')
      .where('id', e.id)
      .update({ time: iso(at + Math.round(step * i)) });
  if (await knex.schema.hasTable('model_calls'))
    await knex('model_calls')
      .where('runId', runId)
      .update({ at: iso(at) });
}

/** An eval run of a target's version over a dataset, with its examples' scores, finished at `at`. */
async function writeEval(store: Store, e: PastEval): Promise<string> {
  const target = { type: 'component' as const, id: `c-${e.target}`, name: e.target, version: e.version };
  const id = newId('run', e.at.getTime());
  const metrics = Object.keys(e.examples[0] ?? {});
  const inputs = { dataset: e.dataset, split: 'dev', metrics };
  await createRun(store, { id, kind: 'eval', target, inputs });
  await appendEvents(store, id, [runStarted({ kind: 'eval', target, inputs })], { status: 'running' });
  for (const [i, scores] of e.examples.entries())
    await saveEvalResult(store, id, {
      exampleId: `ex-${i}`,
      childRunId: null,
      outputs: { answer: 'x' },
      scores,
      details: null,
      error: null,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
    });
  // The outputs an eval workflow ends with: each metric's aggregate over the examples.
  const aggregates = Object.fromEntries(metrics.map((m) => [m, aggregate(e.examples.map((x) => x[m] ?? 0))]));
  const outputs = { examples: e.examples.length, errors: 0, aggregates };
  await appendEvents(store, id, [runCompleted({ outputs })], { status: 'completed', outputs });
  await moveBack(store, id, e.at.getTime(), 60_000);
  await store
    .knex('eval_results')
    .where('evalRunId', id)
    .update({ createdAt: iso(e.at.getTime()) });
  return id;
}

/** Write the runs and evals into the SQLite store at `dbFile` (a running `harness up` may share it). */
export async function seedHistory(
  dbFile: string,
  history: { runs: PastRun[]; evals?: PastEval[] },
): Promise<{ runIds: string[]; evalIds: string[] }> {
  const store = openStore({ dialect: 'sqlite', url: dbFile });
  try {
    const runIds: string[] = [];
    for (const r of history.runs) runIds.push(await writeRun(store, r));
    const evalIds: string[] = [];
    for (const e of history.evals ?? []) evalIds.push(await writeEval(store, e));
    return { runIds, evalIds };
  } finally {
    await store.close();
  }
}
