// Datasets and examples; an import is one transaction, so a bad file leaves the dataset as it was.
import type { EvalExampleSource, ExampleInput, Split } from '../../core/dataset-import.js';
import { newId } from '../../core/ids.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Knex } from 'knex';
import type { Store } from '../knex.js';
import { percentile, wallMs } from './overview.js';

export interface DatasetRow {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ExampleRow {
  id: string;
  split: Split;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown>;
  sourceRunId: string | null;
  metadata: Record<string, unknown> | null;
  createdAt: string;
}

const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

export async function createDataset(
  store: Store,
  d: { name: string; description?: string | undefined },
): Promise<DatasetRow> {
  if (await store.knex('datasets').where('name', d.name).first())
    throw new ConflictError(`dataset '${d.name}' already exists`);
  const at = new Date().toISOString();
  const row = { id: newId('ds'), name: d.name, description: d.description ?? null, createdAt: at, updatedAt: at };
  await store.knex('datasets').insert(row);
  return row;
}

export async function getDataset(store: Store, idOrName: string): Promise<DatasetRow> {
  const row = await store.knex('datasets').where('id', idOrName).orWhere('name', idOrName).first();
  if (!row) throw new NotFoundError('dataset', idOrName);
  return row;
}

export async function listDatasets(store: Store): Promise<Array<DatasetRow & { examples: number }>> {
  const rows = await store.knex('datasets').orderBy('name');
  const counts = (await store
    .knex('dataset_examples')
    .select('datasetId')
    .count({ n: '*' })
    .groupBy('datasetId')) as unknown as Array<{ datasetId: string; n: number | string }>;
  const byId = new Map(counts.map((c) => [c.datasetId, Number(c.n)]));
  return rows.map((r: DatasetRow) => ({ ...r, examples: byId.get(r.id) ?? 0 }));
}

export async function deleteDataset(store: Store, idOrName: string): Promise<void> {
  const d = await getDataset(store, idOrName);
  await store.knex('datasets').where('id', d.id).delete();
}

/** Add examples in one transaction (all or nothing). */
export async function addExamples(
  store: Store,
  datasetId: string,
  examples: Array<ExampleInput & { sourceRunId?: string }>,
): Promise<number> {
  const at = new Date().toISOString();
  await store.knex.transaction(async (trx) => {
    const rows = examples.map((e) => ({
      id: newId('ex'),
      datasetId,
      split: e.split,
      inputs: JSON.stringify(e.inputs),
      expected: JSON.stringify(e.expected),
      sourceRunId: e.sourceRunId ?? null,
      metadata: e.metadata ? JSON.stringify(e.metadata) : null,
      createdAt: at,
    }));
    for (let i = 0; i < rows.length; i += 200) await trx('dataset_examples').insert(rows.slice(i, i + 200));
    await trx('datasets').where('id', datasetId).update({ updatedAt: at });
  });
  return examples.length;
}

export async function updateExample(
  store: Store,
  datasetId: string,
  exampleId: string,
  patch: Partial<Pick<ExampleRow, 'split' | 'inputs' | 'expected'>>,
): Promise<void> {
  const values = {
    ...(patch.split ? { split: patch.split } : {}),
    ...(patch.inputs ? { inputs: JSON.stringify(patch.inputs) } : {}),
    ...(patch.expected ? { expected: JSON.stringify(patch.expected) } : {}),
  };
  const n = await store.knex('dataset_examples').where({ datasetId, id: exampleId }).update(values);
  if (!n) throw new NotFoundError('example', exampleId);
}

export async function deleteExample(store: Store, datasetId: string, exampleId: string): Promise<void> {
  const n = await store.knex('dataset_examples').where({ datasetId, id: exampleId }).delete();
  if (!n) throw new NotFoundError('example', exampleId);
}

/** Examples by id, wherever they are (an eval's comparison shows each one's inputs and expected values). */
/** One example's inputs, expected answer and metadata (its own assertions live there), or undefined when it is gone. */
export async function exampleMetadata(
  store: Store,
  id: string,
): Promise<Pick<ExampleRow, 'inputs' | 'expected' | 'metadata'> | undefined> {
  const row = (await store.knex('dataset_examples').where({ id }).first('inputs', 'expected', 'metadata')) as
    { inputs: unknown; expected: unknown; metadata: unknown } | undefined;
  if (!row) return undefined;
  const metadata = row.metadata == null ? null : parse(row.metadata);
  return { inputs: parse(row.inputs), expected: parse(row.expected), metadata };
}

export async function examplesById(
  store: Store,
  ids: string[],
): Promise<Map<string, Pick<ExampleRow, 'id' | 'inputs' | 'expected'>>> {
  const out = new Map<string, Pick<ExampleRow, 'id' | 'inputs' | 'expected'>>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await store
      .knex('dataset_examples')
      .whereIn('id', ids.slice(i, i + 500))
      .select('id', 'inputs', 'expected');
    for (const r of rows as Array<{ id: string; inputs: string; expected: string }>)
      out.set(r.id, { id: r.id, inputs: parse(r.inputs), expected: parse(r.expected) });
  }
  return out;
}

export async function listExamples(store: Store, datasetId: string, split?: Split): Promise<ExampleRow[]> {
  const q = store.knex('dataset_examples').where('datasetId', datasetId).orderBy('id');
  if (split) q.where('split', split);
  const rows = await q;
  return rows.map((r: ExampleRow & { datasetId: string }) => ({
    id: r.id,
    split: r.split,
    inputs: parse(r.inputs),
    expected: parse(r.expected),
    sourceRunId: r.sourceRunId,
    metadata: r.metadata ? parse(r.metadata) : null,
    createdAt: r.createdAt,
  }));
}

export interface EvalResultRow {
  exampleId: string;
  /** Which run of the example this is, when the eval repeats each example (0 otherwise). */
  repeat?: number;
  childRunId: string | null;
  outputs: Record<string, unknown> | null;
  scores: Record<string, number>;
  /** e.g. an LLM judge's reasoning per metric. */
  details: Record<string, unknown> | null;
  error: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** One result per example and repeat per eval run (a retried scoring activity overwrites its own row). */
export async function saveEvalResult(store: Store, evalRunId: string, r: EvalResultRow): Promise<void> {
  const row = {
    evalRunId,
    exampleId: r.exampleId,
    repeat: r.repeat ?? 0,
    childRunId: r.childRunId,
    outputs: r.outputs ? JSON.stringify(r.outputs) : null,
    scores: JSON.stringify(r.scores),
    details: r.details ? JSON.stringify(r.details) : null,
    error: r.error,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costUsd: r.costUsd,
    createdAt: new Date().toISOString(),
  };
  await store.knex('eval_results').insert(row).onConflict(['eval_run_id', 'example_id', 'repeat']).merge();
}

export async function listEvalResults(store: Store, evalRunId: string): Promise<EvalResultRow[]> {
  const rows = await store.knex('eval_results').where('evalRunId', evalRunId).orderBy(['exampleId', 'repeat']);
  return rows.map((r: Record<string, unknown>) => ({
    exampleId: r.exampleId as string,
    repeat: Number(r.repeat),
    childRunId: r.childRunId as string | null,
    outputs: r.outputs ? parse(r.outputs) : null,
    scores: parse(r.scores),
    details: r.details ? parse(r.details) : null,
    error: r.error as string | null,
    inputTokens: Number(r.inputTokens),
    outputTokens: Number(r.outputTokens),
    costUsd: Number(r.costUsd),
  }));
}

/** The scores an eval gave the run of one of its examples, if the run is one. */
export async function scoresOfChildRun(
  store: Store,
  childRunId: string,
): Promise<{ evalRunId: string; exampleId: string; scores: Record<string, number> } | undefined> {
  const row = await store
    .knex('eval_results')
    .where('childRunId', childRunId)
    .first('evalRunId', 'exampleId', 'scores');
  return row ? { evalRunId: row.evalRunId, exampleId: row.exampleId, scores: parse(row.scores) } : undefined;
}

/** How many rows a query matches (drivers answer a string or a number). */
const countOf = async (q: Knex.QueryBuilder): Promise<number> =>
  Number(((await q.count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);

/** How many examples each split holds (one grouped count, not the examples). */
export async function splitCounts(store: Store, datasetId: string): Promise<Record<Split, number>> {
  const rows = (await store
    .knex('dataset_examples')
    .where('datasetId', datasetId)
    .select('split')
    .count({ n: '*' })
    .groupBy('split')) as unknown as Array<{ split: Split; n: number | string }>;
  return Object.assign({ train: 0, dev: 0, test: 0 }, Object.fromEntries(rows.map((r) => [r.split, Number(r.n)])));
}

export async function countExamples(store: Store, datasetId: string, split?: Split): Promise<number> {
  const q = store.knex('dataset_examples').where('datasetId', datasetId);
  if (split) q.where('split', split);
  return countOf(q);
}

/**
 * Fix an eval's examples, in id order, once: a retried or replayed start finds them already there.
 * A dataset's are copied inside the database (ids never travel); given ids are written in chunks.
 */
export async function snapshotEvalExamples(
  store: Store,
  evalRunId: string,
  source: EvalExampleSource,
): Promise<number> {
  const fixed = () => countOf(store.knex('eval_examples').where('evalRunId', evalRunId));
  const existing = await fixed();
  if (existing > 0) return existing;
  await store.knex.transaction(async (trx) => {
    if ('dataset' in source) {
      const split = source.dataset.split ? ' and split = ?' : '';
      await trx.raw(
        `insert into eval_examples (eval_run_id, position, example_id) select ?, row_number() over (order by id) - 1, id from dataset_examples where dataset_id = ?${split}`,
        [evalRunId, source.dataset.id, ...(source.dataset.split ? [source.dataset.split] : [])],
      );
    } else if ('resumeOf' in source) {
      await copyDoneResults(trx, source.resumeOf, evalRunId);
      await trx.raw(
        `insert into eval_examples (eval_run_id, position, example_id) select ?, row_number() over (order by e.position) - 1, e.example_id from eval_examples e where e.eval_run_id = ? and ${TO_RESUME}`,
        [evalRunId, source.resumeOf, source.repeats ?? 1],
      );
    } else if ('forkOf' in source) {
      await trx.raw(
        `insert into eval_examples (eval_run_id, position, example_id) select ?, row_number() over (order by f.example_id) - 1, f.example_id from (${FORKED}) f`,
        [evalRunId, source.forkOf, source.forkOf],
      );
    } else {
      const rows = source.exampleIds.map((exampleId, position) => ({ evalRunId, position, exampleId }));
      for (let i = 0; i < rows.length; i += 500) await trx('eval_examples').insert(rows.slice(i, i + 500));
    }
  });
  return fixed();
}

/**
 * Eval `e.eval_run_id`'s example `e.example_id` has fewer results that completed without an error than the eval's
 * repeats (the binding), and is still in its dataset (a deleted one cannot run again).
 */
const TO_RESUME =
  '(select count(*) from eval_results r where r.eval_run_id = e.eval_run_id and r.example_id = e.example_id and r.error is null) < ? and exists (select 1 from dataset_examples d where d.id = e.example_id)';

/**
 * A resumed eval starts with every finished result of its source (those the source kept from its own source
 * too), each pointing at the example run that produced it. Their tokens and cost stay where they were spent:
 * the resumed eval's usage is its own.
 */
async function copyDoneResults(trx: Knex.Transaction, sourceRunId: string, evalRunId: string): Promise<void> {
  await trx.raw(
    `insert into eval_results (eval_run_id, example_id, repeat, child_run_id, outputs, scores, details, error, input_tokens, output_tokens, cost_usd, created_at) select ?, r.example_id, r.repeat, r.child_run_id, r.outputs, r.scores, r.details, null, 0, 0, 0, ? from eval_results r where r.eval_run_id = ? and r.error is null`,
    [evalRunId, new Date().toISOString(), sourceRunId],
  );
}

/** The examples eval `?` ran: those it fixed and those it kept from a source it resumed, still in their dataset. */
const FORKED =
  'select u.example_id from (select example_id from eval_examples where eval_run_id = ? union select example_id from eval_results where eval_run_id = ?) u where exists (select 1 from dataset_examples d where d.id = u.example_id)';

/** How many examples a fork of this eval runs (every one it ran that is still in its dataset). */
export async function forkableExamples(store: Store, evalRunId: string): Promise<number> {
  return countOf(store.knex.from(store.knex.raw(`(${FORKED}) as f`, [evalRunId, evalRunId])));
}

/** The run that answered an eval's example: its result's (a resumed eval's kept result points at its source's). */
export async function childRunOf(
  store: Store,
  evalRunId: string,
  exampleId: string,
  repeat = 0,
): Promise<string | undefined> {
  const row = (await store.knex('eval_results').where({ evalRunId, exampleId, repeat }).first('childRunId')) as
    { childRunId: string } | undefined;
  return row?.childRunId;
}

/** How many steps of an eval's example runs took a recorded output instead of calling (a fork's saved calls). */
export async function reusedSteps(store: Store, evalRunId: string): Promise<number> {
  return countOf(
    store
      .knex('run_events')
      .where('type', 'step.reused')
      .whereIn('runId', store.knex('eval_results').where('evalRunId', evalRunId).select('childRunId')),
  );
}

/**
 * What a resume of this eval would do: run `left` examples (no finished result, still in the dataset) and keep
 * `kept` finished results; `fixed`: how many examples it fixed at its start (0 for evals from before that).
 */
export async function resumableExamples(
  store: Store,
  evalRunId: string,
  repeats = 1,
): Promise<{ fixed: number; left: number; kept: number }> {
  const fixed = await countOf(store.knex('eval_examples').where('evalRunId', evalRunId));
  const left = await countOf(
    store.knex({ e: 'eval_examples' }).where('e.evalRunId', evalRunId).whereRaw(TO_RESUME, [repeats]),
  );
  const kept = await countOf(store.knex('eval_results').where('evalRunId', evalRunId).whereNull('error'));
  return { fixed, left, kept };
}

/** The eval's example at a position, with its content (null when it was deleted while the run went on). */
/** Whether the eval already holds a finished result for the example's repeat (a resume kept it from its source). */
export async function hasFinishedResult(
  store: Store,
  evalRunId: string,
  exampleId: string,
  repeat: number,
): Promise<boolean> {
  return (await countOf(store.knex('eval_results').where({ evalRunId, exampleId, repeat }).whereNull('error'))) > 0;
}

export async function evalExampleAt(
  store: Store,
  evalRunId: string,
  position: number,
): Promise<{ exampleId: string; example: Pick<ExampleRow, 'id' | 'inputs' | 'expected'> | null } | undefined> {
  const row = (await store.knex('eval_examples').where({ evalRunId, position }).first('exampleId')) as
    { exampleId: string } | undefined;
  if (!row) return undefined;
  return { exampleId: row.exampleId, example: (await examplesById(store, [row.exampleId])).get(row.exampleId) ?? null };
}

/** The wall time of an eval's example runs (its results' runs that ended): median and 95th percentile, in ms. */
export async function exampleLatency(
  store: Store,
  evalRunId: string,
): Promise<{ runs: number; p50Ms: number | null; p95Ms: number | null }> {
  const ms = wallMs(store.dialect);
  const row = (await store
    .knex('runs')
    .whereIn('id', store.knex('eval_results').where('evalRunId', evalRunId).select('childRunId'))
    .whereNotNull('endedAt')
    .first(
      store.knex.raw('count(*) as runs'),
      store.knex.raw(`${percentile(store.dialect, 0.5, ms)} as p50_ms`),
      store.knex.raw(`${percentile(store.dialect, 0.95, ms)} as p95_ms`),
    )) as { runs: unknown; p50Ms: unknown; p95Ms: unknown } | undefined;
  const runs = Number(row?.runs ?? 0);
  return { runs, p50Ms: runs ? Number(row!.p50Ms) : null, p95Ms: runs ? Number(row!.p95Ms) : null };
}
