// A run (and a page of its events) as the API shows it, written as JSON text by the database itself:
// the one writer of the run view (its type: core/run-story/view.ts). A page of runs is then joined text, never rows turned into objects and back into JSON
// (that round trip was most of GET /api/runs' time: bench/api).
import type { RunView } from '../../core/run-story/view.js';
import { LITERAL, type Store } from '../knex.js';
import { NotFoundError } from '../errors.js';
import { feedbackSummarySql } from './feedback.js';
import { filterRuns, type RunFilter } from './runs.js';
import { loadLargeValuesInText } from './stored-values.js';

/** Where a run's Temporal UI page is: `<ui>/namespaces/<ns>/workflows/` (its workflow id and run id follow). */
export interface RunViewContext {
  workflowsUrl: string;
}

/** A column (or expression) as JSON text, `null` for NULL, in the store's dialect. */
const jsonText = (dialect: Store['dialect']) =>
  dialect === 'sqlite' ? (c: string) => `json_quote(${c})` : (c: string) => `coalesce(to_json(${c})::text, 'null')`;

/** Each field of the view as JSON text, in the store's dialect; `?` is the workflows URL. Stored JSON columns are spliced in as they are. */
function viewFields(dialect: Store['dialect']): Record<keyof RunView, string> {
  const q = jsonText(dialect);
  // An optimizer's own row counts only its judging; its trials (teacher runs, evals on dev) are runs of their own.
  // An experiment's is its cells' (evals it ran; cells a resume kept count in their own experiment).
  const withTrials = (c: string) =>
    `(runs.${c} + case when runs.kind in ('optimize', 'experiment') then coalesce((select sum(trial.${c}) from runs trial where trial.origin = runs.kind || ':' || runs.id), 0) else 0 end)`;
  const cost =
    dialect === 'sqlite' ? `json_quote(${withTrials('cost_usd')})` : `to_json(${withTrials('cost_usd')})::text`;
  const workflowsUrl = dialect === 'sqlite' ? '?' : 'cast(? as text)';
  return {
    id: q('id'),
    kind: q('kind'),
    status: q('status'),
    target: 'target',
    inputs: 'inputs',
    outputs: "coalesce(outputs, 'null')",
    error: "coalesce(error, 'null')",
    createdAt: q('created_at'),
    startedAt: q('started_at'),
    endedAt: q('ended_at'),
    lastSeq: 'last_seq',
    origin: q('origin'),
    forkOf: `case when fork_of_run is null then 'null' else '{"runId":' || ${q('fork_of_run')} || ',"step":' || ${q("coalesce(fork_of_step, '')")} || '}' end`,
    traceId: q('trace_id'),
    archivedAt: q('archived_at'),
    // A chat's run shows as the chat: its id and title.
    chat: `case when runs.kind = 'chat' then coalesce((select '{"id":' || ${q('c.id')} || ',"title":' || ${q('c.title')} || '}' from chats c where c.run_id = runs.id), 'null') else 'null' end`,
    usage: `'{"inputTokens":' || ${withTrials('input_tokens')} || ',"outputTokens":' || ${withTrials('output_tokens')} || ',"costUsd":' || ${cost} || '}'`,
    temporal: `'{"workflowId":' || ${q('workflow_id')} || ',"runId":' || ${q('temporal_run_id')} || ',"uiUrl":' || ${q(`${workflowsUrl} || workflow_id || coalesce('/' || temporal_run_id, '') || '/history'`)} || '}'`,
    feedback: feedbackSummarySql(dialect),
  };
}

/** The view's JSON, field by field (RunView's, so the type and the SQL cannot part ways). */
function viewSql(dialect: Store['dialect']): string {
  const fields = Object.entries(viewFields(dialect)).map(([name, sql], i) => `'${i ? ',' : '{'}"${name}":' || ${sql}`);
  return `${fields.join(' || ')} || '}'`;
}

/** A workflow id that is its own URL path segment (run ids are; an eval example's may not be). */
const URL_SAFE = /^[A-Za-z0-9_.~-]+$/;

interface ViewRow {
  id: string;
  workflowId: string;
  view: string;
}

/** The view text of a row (large values resolved); a workflow id that needs escaping in the UI link gets it here. */
async function viewText(store: Store, r: ViewRow): Promise<string> {
  const text = await loadLargeValuesInText(store.knex, r.view);
  if (URL_SAFE.test(r.workflowId)) return text;
  const view = JSON.parse(text) as Pick<RunView, 'temporal'>;
  const t = view.temporal;
  t.uiUrl = t.uiUrl.replace(`/workflows/${t.workflowId}`, `/workflows/${encodeURIComponent(t.workflowId)}`);
  return JSON.stringify(view);
}

/** A page of run views, newest first, as JSON text each, and the cursor of the next page. */
export async function runViewPage(
  store: Store,
  ui: RunViewContext,
  q: RunFilter & { limit: number; cursor?: string | undefined },
): Promise<{ views: string[]; nextCursor: string | null }> {
  const rows = (await filterRuns(store.knex('runs'), q, store.dialect)
    .limit(q.limit + 1, LITERAL)
    .select(
      'runs.id',
      'runs.workflowId',
      store.knex.raw(`${viewSql(store.dialect)} as view`, [ui.workflowsUrl]),
    )) as ViewRow[];
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  return {
    views: await Promise.all(page.map((r) => viewText(store, r))),
    nextCursor: more ? page[page.length - 1]!.id : null,
  };
}

/** One run's view as JSON text. */
export async function runViewText(store: Store, ui: RunViewContext, id: string): Promise<string> {
  const row = (await store
    .knex('runs')
    .where('id', id)
    .first('id', 'workflowId', store.knex.raw(`${viewSql(store.dialect)} as view`, [ui.workflowsUrl]))) as
    ViewRow | undefined;
  if (!row) throw new NotFoundError('run', id);
  return viewText(store, row);
}

/** A run event as JSON text: its stored data spliced in as it is (it was written as JSON). */
function eventSql(dialect: Store['dialect']): string {
  const q = jsonText(dialect);
  return `'{"runId":' || ${q('run_id')} || ',"seq":' || seq || ',"type":' || ${q('type')} || ',"data":' || data || ',"time":' || ${q('time')} || '}'`;
}

/** A page of a run's events after `after`, in seq order, as the JSON array text GET /api/runs/:id/events answers. */
export async function eventPageText(store: Store, runId: string, after: number, limit: number): Promise<string> {
  // One row, the page joined in the database: no per-event row objects for the driver to build.
  const page = store
    .knex('run_events')
    .where('runId', runId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit, LITERAL)
    .select('seq', store.knex.raw(`${eventSql(store.dialect)} as event`));
  const joined =
    store.dialect === 'sqlite' ? "group_concat(event, ',' order by seq)" : "string_agg(event, ',' order by seq)";
  const row = (await store.knex.from(page.as('page')).first(store.knex.raw(`${joined} as events`))) as
    { events: string | null } | undefined;
  return `[${await loadLargeValuesInText(store.knex, row?.events ?? '')}]`;
}
