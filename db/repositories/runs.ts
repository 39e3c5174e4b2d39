// Runs and their append-only events; seq is gap-free per run because appends lock the run row.
import type { Knex } from 'knex';
import type { NewRunEvent, RunEvent } from '../../core/run-story/events.js';
import type { TrajectoryStep } from '../../core/react.js';
import { turnOf } from '../../core/run-story/ids.js';
import { terminalStatuses, type RunPatch, type RunStatus } from '../../core/run-story/status.js';
import type { ArchivedFilter, RunKind } from '../../core/specs.js';
import { searchWords } from '../../core/specs.js';
import { NotFoundError } from '../errors.js';
import { feedbackFilterSql, type FeedbackFilter } from './feedback.js';
import type { Store } from '../knex.js';
import { RunEventRow, RunRow, type RunTarget } from '../models/run.js';
import { forgetRunValues, loadLargeValues, storeLargeValues } from './stored-values.js';
import { recordModelCalls } from './overview-calls.js';

const now = (): string => new Date().toISOString();

export interface NewRun {
  id: string;
  kind: RunKind;
  target: RunTarget;
  inputs: Record<string, unknown>;
  origin?: string | undefined;
  forkOf?: { runId: string; step: string } | undefined;
  traceId?: string | undefined;
}

export async function createRun(store: Store, { forkOf, ...run }: NewRun): Promise<RunRow> {
  const at = now();
  // The inserted row is what was given: no read back.
  return RunRow.query(store.knex).insert({
    ...run,
    ...(forkOf ? { forkOfRun: forkOf.runId, forkOfStep: forkOf.step } : {}),
    status: 'queued',
    workflowId: run.id,
    outputs: null,
    error: null,
    temporalRunId: null,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    lastSeq: 0,
    createdAt: at,
    startedAt: null,
    endedAt: null,
    updatedAt: at,
  });
}

/** Create the row unless it exists (a retried activity, a replayed workflow): one row per id. */
export async function ensureRun(store: Store, { forkOf: _forkOf, ...run }: NewRun): Promise<void> {
  const at = now();
  await store
    .knex('runs')
    .insert({
      ...run,
      target: JSON.stringify(run.target),
      inputs: JSON.stringify(run.inputs),
      status: 'queued',
      workflowId: run.id,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      lastSeq: 0,
      createdAt: at,
      updatedAt: at,
    })
    .onConflict('id')
    .ignore();
}

export async function getRun(store: Store, id: string): Promise<RunRow> {
  const row = await RunRow.query(store.knex).findById(id);
  if (!row) throw new NotFoundError('run', id);
  return withOutputs(store.knex, row);
}

/** A run row with its outputs as they were written (large values resolved). */
async function withOutputs(db: Knex, row: RunRow): Promise<RunRow> {
  if (row.outputs) row.outputs = await loadLargeValues(db, row.outputs);
  return row;
}

/** A patch whose outputs' large values are stored once, with references in their place. */
async function storedPatch(db: Knex, runId: string, patch: RunPatch): Promise<RunPatch> {
  return patch.outputs ? { ...patch, outputs: await storeLargeValues(db, runId, patch.outputs) } : patch;
}

/** Which runs a listing shows. */
export interface RunFilter {
  kind?: RunKind | undefined;
  status?: RunStatus | undefined;
  /** Where runs came from, as `runListQuery` spells it: `app`, `app:name@`, `app:name@3`, `eval[:id]`, `optimize[:id]`, `fork[:id]`. */
  origin?: string | undefined;
  /** Runs older than this one (the id of the last run of the previous page). */
  cursor?: string | undefined;
  /** Only runs that are not an eval's examples or an optimizer's trials (their origin names the parent run). */
  topLevel?: boolean | undefined;
  /** Words in the values of its inputs or outputs, or in its feedback notes: each must appear, as a word or the start of one. */
  text?: string | undefined;
  /** Its target's name. */
  target?: string | undefined;
  /** Created at or after / before these ISO times. */
  since?: string | undefined;
  until?: string | undefined;
  /** Made a model call to this provider / with this model (db/repositories/overview-calls.ts keeps the calls). */
  provider?: string | undefined;
  model?: string | undefined;
  /** Archived runs are left out unless `include` (them too) or `only` (them alone). */
  archived?: ArchivedFilter;
  /** Runs with negative, positive, any or no feedback (db/repositories/feedback.ts). */
  feedback?: FeedbackFilter | undefined;
}

/** The origins of child runs: `eval:<runId>`, `optimize:<runId>`. */
export const CHILD_ORIGINS = ['eval:', 'optimize:', 'experiment:'] as const;

interface Filterable {
  where(column: string, value: unknown): unknown;
  where(column: string, op: string, value: unknown): unknown;
  whereRaw(sql: string, bindings: readonly string[]): unknown;
  whereNotNull(column: string): unknown;
  whereNull(column: string): unknown;
  join(table: string, left: string, right: string): unknown;
  orderBy(column: string, order: 'asc' | 'desc'): unknown;
}

/** Where runs came from: a fork names its source run in its own column, the others are the run's `origin`. */
function matchOrigin(query: Filterable, origin: string): void {
  if (origin === 'fork') query.whereNotNull('forkOfRun');
  else if (origin.startsWith('fork:')) query.where('forkOfRun', origin.slice('fork:'.length));
  else if (['app', 'eval', 'optimize', 'experiment'].includes(origin)) query.where('origin', 'like', `${origin}:%`);
  else if (origin.endsWith('@')) query.where('origin', 'like', `${origin}%`);
  else query.where('origin', origin);
}

/**
 * Runs that made a model call with the provider and/or model. A call comes after its run was created, so `since`
 * bounds the calls to read; without it each run is probed by its id instead (a page, a status: few runs).
 */
function matchModelCalls(query: Filterable, q: RunFilter, dialect: Store['dialect']): void {
  // The probe reads a run's calls by its id: SQLite would otherwise lead with every call of the provider (`+` stops it).
  const column = (name: string, probe: boolean) => (probe && dialect === 'sqlite' ? `+${name}` : name);
  const terms = (probe: boolean) =>
    [...(q.provider ? [column('provider', probe)] : []), ...(q.model ? [column('model', probe)] : [])]
      .map((c) => `${c} = ?`)
      .join(' and ');
  const values = [...(q.provider ? [q.provider] : []), ...(q.model ? [q.model] : [])];
  if (q.since)
    query.whereRaw(`runs.id in (select run_id from model_calls where ${terms(false)} and at >= ?)`, [
      ...values,
      q.since,
    ]);
  else
    query.whereRaw(`exists (select 1 from model_calls where model_calls.run_id = runs.id and ${terms(true)})`, values);
}

/** Each dialect's full-text match of a search's words (db/migrations/009_run_search.ts keeps the index). */
function matchText(query: Filterable, dialect: Store['dialect'], words: string[]): void {
  if (!words.length) query.whereRaw('1 = 0', []);
  else if (dialect === 'sqlite') {
    query.join('runs_search', 'runs_search.rowid', 'runs.rowid');
    query.whereRaw('runs_search match ?', [words.map((w) => `"${w}"*`).join(' ')]);
  } else query.whereRaw("search @@ to_tsquery('simple', ?)", [words.map((w) => `${w}:*`).join(' & ')]);
}

/**
 * A listing as SQL, on the runs table (rows) or the RunRow model (models): its filters and its order,
 * newest first (by id). A text search on SQLite walks the full-text index newest written first (its cursor likewise),
 * so a word every run has costs what a rare one does. The one place they are.
 */
export function filterRuns<Q extends Filterable>(query: Q, q: RunFilter, dialect: Store['dialect']): Q {
  if (q.kind) query.where('kind', q.kind);
  if (q.status) query.where('status', q.status);
  if (q.origin) matchOrigin(query, q.origin);
  const words = q.text === undefined ? undefined : searchWords(q.text);
  const byIndex = dialect === 'sqlite' && !!words?.length;
  if (q.cursor && byIndex) query.whereRaw('runs.rowid < (select rowid from runs where id = ?)', [q.cursor]);
  else if (q.cursor) query.where('runs.id', '<', q.cursor);
  if (words) matchText(query, dialect, words);
  if (q.target) query.where('runs.targetName', q.target);
  if (q.provider || q.model) matchModelCalls(query, q, dialect);
  if (q.since) query.where('createdAt', '>=', q.since);
  if (q.until) query.where('createdAt', '<', q.until);
  if (q.feedback) query.whereRaw(feedbackFilterSql(q.feedback), []);
  if (q.archived === 'only') query.whereNotNull('runs.archivedAt');
  else if (q.archived !== 'include') query.whereNull('runs.archivedAt');
  if (q.topLevel)
    query.whereRaw(
      `(origin is null or (${CHILD_ORIGINS.map(() => 'origin not like ?').join(' and ')}))`,
      CHILD_ORIGINS.map((o) => `${o}%`),
    );
  query.orderBy(byIndex ? 'runs_search.rowid' : 'runs.id', 'desc');
  return query;
}

export async function listRuns(
  store: Store,
  q: RunFilter & { limit: number },
): Promise<{ runs: RunRow[]; nextCursor: string | null }> {
  const rows = await filterRuns(RunRow.query(store.knex), q, store.dialect)
    .select('runs.*')
    .limit(q.limit + 1);
  const more = rows.length > q.limit;
  const runs = await Promise.all((more ? rows.slice(0, q.limit) : rows).map((r) => withOutputs(store.knex, r)));
  return { runs, nextCursor: more ? runs[runs.length - 1]!.id : null };
}

/** The columns a patch sets (JSON columns serialized, the clock columns its status moves). */
function patchColumns(patch: RunPatch, at: string): Record<string, unknown> {
  const values: Record<string, unknown> = { updatedAt: at };
  if (patch.status !== undefined) values.status = patch.status;
  if (patch.outputs !== undefined) values.outputs = patch.outputs === null ? null : JSON.stringify(patch.outputs);
  if (patch.error !== undefined) values.error = patch.error === null ? null : JSON.stringify(patch.error);
  if (patch.temporalRunId !== undefined) values.temporalRunId = patch.temporalRunId;
  if (patch.status === 'running') values.startedAt = at;
  if (patch.status && terminalStatuses.includes(patch.status)) values.endedAt = at;
  return values;
}

/** Move a run to a new status; a terminal status is final (late or replayed reports do not undo it). */
export async function updateRun(store: Store, id: string, patch: RunPatch): Promise<boolean> {
  const q = store
    .knex('runs')
    .where('id', id)
    .update(patchColumns(await storedPatch(store.knex, id, patch), now()));
  if (patch.status) q.whereNotIn('status', terminalStatuses);
  return (await q) > 0;
}

const usageColumns = (db: Knex, usage: { inputTokens: number; outputTokens: number; costUsd: number }) => ({
  inputTokens: db.raw('input_tokens + ?', [usage.inputTokens]),
  outputTokens: db.raw('output_tokens + ?', [usage.outputTokens]),
  costUsd: db.raw('cost_usd + ?', [usage.costUsd]),
});

export async function addUsage(
  db: Knex,
  id: string,
  usage: { inputTokens: number; outputTokens: number; costUsd: number },
): Promise<void> {
  await db('runs').where('id', id).update(usageColumns(db, usage));
}

/** Set a run's totals outright: an eval's are the sum over its examples, counted again from their results. */
export async function setUsage(
  store: Store,
  id: string,
  usage: { inputTokens: number; outputTokens: number; costUsd: number },
): Promise<void> {
  await store.knex('runs').where('id', id).update(usage);
}

/**
 * Append events idempotently: an event whose key is already stored is skipped, so a retried
 * activity or a replayed workflow never duplicates history; nothing is appended once the run has
 * ended. Returns the run's last seq.
 */
export async function appendEvents(
  store: Store,
  runId: string,
  events: NewRunEvent[],
  patch?: RunPatch,
  usage?: { inputTokens: number; outputTokens: number; costUsd: number },
): Promise<{ lastSeq: number; appended: number }> {
  return store.knex.transaction(async (trx) => {
    // Write first, read second: SQLite takes its write lock now (a reader that upgrades later can hit
    // SQLITE_BUSY_SNAPSHOT when another process wrote in between); PostgreSQL takes the row lock.
    // The no-op update returns the row, so locking and reading are one statement.
    const [run] = (await trx('runs')
      .where('id', runId)
      .update({ lastSeq: trx.ref('lastSeq') }, ['lastSeq', 'status', 'kind'])) as Array<{
      lastSeq: number | string;
      status: RunStatus;
      kind: RunKind;
    }>;
    if (!run) throw new NotFoundError('run', runId);
    // A run's final event is its last: a late report (a model call that outlived its cancelled run) is dropped.
    if (terminalStatuses.includes(run.status)) return { lastSeq: Number(run.lastSeq), appended: 0 };
    const keys = events.map((e) => e.key);
    const existing = keys.length
      ? new Set(
          (await trx('run_events').where('runId', runId).whereIn('key', keys).select('key')).map(
            (r: { key: string }) => r.key,
          ),
        )
      : new Set<string>();
    let seq = Number(run.lastSeq);
    const at = now();
    const fresh = events.filter((e, i) => !existing.has(e.key) && keys.indexOf(e.key) === i);
    const data = await storeLargeValues(
      trx,
      runId,
      fresh.map((e) => e.data),
    );
    const rows = fresh.map((e, i) => ({
      runId,
      seq: ++seq,
      key: e.key,
      type: e.type,
      data: JSON.stringify(data[i]),
      time: at,
    }));
    // SQLite caps a multi-row insert (500 terms): insert in chunks.
    for (let i = 0; i < rows.length; i += 200) await trx('run_events').insert(rows.slice(i, i + 200));
    await recordModelCalls(trx, runId, fresh, at);
    // One update for the new last seq, the patch, and the usage (counted once per stored response,
    // in the same transaction, so a replayed append adds nothing). The run is not terminal: checked above, under the lock.
    // A start written again (a write retried or handed on) leaves the run's start time alone.
    const move =
      patch?.status === 'running' && (run.status === 'running' || run.status === 'idle')
        ? { ...patch, status: undefined }
        : patch;
    const values = {
      ...(rows.length ? { lastSeq: seq, updatedAt: at } : {}),
      ...(move ? patchColumns(await storedPatch(trx, runId, move), at) : {}),
      // A chat that starts waits for its first message: idle (its turns move it to running and back).
      ...(move?.status === 'running' && run.kind === 'chat' ? { status: 'idle' } : {}),
      ...(usage && rows.length ? usageColumns(trx, usage) : {}),
    };
    if (Object.keys(values).length) await trx('runs').where('id', runId).update(values);
    return { lastSeq: seq, appended: rows.length };
  });
}

/** A chat's turn under way (`busy`) or over: running, then idle again; a chat that has ended stays as it is. */
export async function setChatBusy(store: Store, runId: string, busy: boolean): Promise<void> {
  await store
    .knex('runs')
    .where('id', runId)
    .where('status', busy ? 'idle' : 'running')
    .update({ status: busy ? 'running' : 'idle', updatedAt: now() });
}

/** Archive a run (hidden from lists until a filter asks) or bring it back; false when there is no such run. */
export async function setRunArchived(store: Store, id: string, archived: boolean): Promise<boolean> {
  return (
    (await store
      .knex('runs')
      .where('id', id)
      .update({ archivedAt: archived ? now() : null })) > 0
  );
}

/**
 * Delete runs and everything they stored, in one transaction: their events, step cache rows, definitions,
 * eval results, the large values and sealed payloads no other run refers to, a chat's transcript. The caller
 * checked that none is under way and removes their artifact files after.
 */
export async function deleteRuns(store: Store, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await store.knex.transaction(async (trx) => {
    const chats = trx('chats').whereIn('runId', ids).select('id');
    await trx('chat_messages').whereIn('chatId', chats).del();
    await trx('chats').whereIn('runId', ids).del();
    await trx('step_cache').whereIn('runId', ids).del();
    for (const id of ids) {
      await forgetRunValues(trx, id);
      // Not a sealed payload another run refers to too (a value is stored once for every run that has it).
      await trx('payload_artifacts')
        .where('workflowId', id)
        .whereRaw(
          'not exists (select 1 from stored_value_runs r where r.sha256 = payload_artifacts.sha256 and r.run_id <> ?)',
          [id],
        )
        .del();
    }
    // Events, definitions and eval rows go with their run (on delete cascade).
    await trx('runs').whereIn('id', ids).del();
  });
}

/** A run and the runs under it (an eval's examples, an optimizer's trials and theirs), the run first. */
export async function runFamily(store: Store, id: string): Promise<RunRow[]> {
  const family: RunRow[] = [await getRun(store, id)];
  for (let i = 0; i < family.length; i++) {
    const parent = family[i]!.id;
    family.push(
      ...(await RunRow.query(store.knex).whereIn(
        'origin',
        CHILD_ORIGINS.map((o) => `${o}${parent}`),
      )),
    );
  }
  return family;
}

export async function listEvents(store: Store, runId: string, after = 0, limit = 1000): Promise<RunEvent[]> {
  const rows = await RunEventRow.query(store.knex)
    .where('runId', runId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit);
  return loadLargeValues(
    store.knex,
    rows.map((r) => ({ runId: r.runId, seq: r.seq, type: r.type, data: r.data, time: r.time }) as RunEvent),
  );
}

export async function unfinishedRuns(store: Store): Promise<RunRow[]> {
  const rows = await RunRow.query(store.knex).whereNotIn('status', terminalStatuses as RunStatus[]);
  return Promise.all(rows.map((r) => withOutputs(store.knex, r)));
}

/** Cheap change detection for tailing: last seq and status of the given runs. */
export async function runHeads(
  store: Store,
  ids: string[],
): Promise<Array<{ id: string; lastSeq: number; status: RunStatus }>> {
  if (!ids.length) return [];
  const rows = await store.knex('runs').whereIn('id', ids).select('id', 'lastSeq', 'status');
  return rows.map((r: { id: string; lastSeq: number | string; status: RunStatus }) => ({
    id: r.id,
    lastSeq: Number(r.lastSeq),
    status: r.status,
  }));
}

/** The step.completed records of a run, by step id (what a fork reuses and a diff compares). */
export async function stepRecords(
  store: Store,
  runId: string,
): Promise<Map<string, { seq: number; data: Record<string, unknown> }>> {
  const rows = await store
    .knex('run_events')
    .where({ runId, type: 'step.completed' })
    .orderBy('seq')
    .select('seq', 'data');
  const records = new Map(
    rows.map((r: { seq: number; data: string }): [string, { seq: number; data: Record<string, unknown> }] => {
      const data = JSON.parse(r.data) as Record<string, unknown>;
      return [String(data.stepId), { seq: Number(r.seq), data }];
    }),
  );
  for (const record of records.values()) record.data = await loadLargeValues(store.knex, record.data);
  return records;
}

/**
 * An agent's turns so far, in order, from its `turn:<n>:completed` events (reused turns of a fork too):
 * the trajectory its next step renders, kept here rather than carried by the workflow.
 */
export async function agentTurns(store: Store, runId: string): Promise<TrajectoryStep[]> {
  const turns = [...(await stepRecords(store, runId))].flatMap(([stepId, r]) => {
    const n = turnOf(stepId);
    return n === undefined ? [] : [{ n, step: r.data.outputs as TrajectoryStep }];
  });
  return turns.sort((a, b) => a.n - b.n).map((t) => t.step);
}

/** A run's events of the given types only (a diff needs steps and calls, not every delta of the story). */
export async function eventsOfTypes(store: Store, runId: string, types: string[]): Promise<RunEvent[]> {
  const rows = await RunEventRow.query(store.knex).where('runId', runId).whereIn('type', types).orderBy('seq');
  return loadLargeValues(
    store.knex,
    rows.map((r) => ({ runId: r.runId, seq: r.seq, type: r.type, data: r.data, time: r.time }) as RunEvent),
  );
}
