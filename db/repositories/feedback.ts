// Feedback on runs and steps, the project's feedback labels, and the SQL that says which feedback is negative or
// positive (the runs list's filter and the run view's summary read the same words). A run's notes are kept joined on
// the run (runs.feedback_notes) in the same transaction, so the run search finds them (db/migrations/017_feedback.ts).
import type { Knex } from 'knex';
import { NotFoundError } from '../errors.js';
import type { Store } from '../knex.js';

export type Thumbs = 'up' | 'down';

export interface NewFeedback {
  id: string;
  runId: string;
  stepId: string | null;
  thumbs: Thumbs | null;
  score: number | null;
  label: string | null;
  note: string | null;
}

export interface Feedback extends NewFeedback {
  /** Thumbs down, a score of 2 or less, or a label the project marks negative. */
  negative: boolean;
  createdAt: string;
}

export interface FeedbackLabel {
  name: string;
  negative: boolean;
}

/** Which runs a listing shows by their feedback: any negative, any positive, any at all, none. */
export type FeedbackFilter = 'negative' | 'positive' | 'any' | 'none';

/** Whether feedback row `f` is negative, as SQL: thumbs down, a score of 2 or less, or a negative label. */
export const negativeSql = (f: string) =>
  `(${f}.thumbs = 'down' or ${f}.score <= 2 or ${f}.label in (select l.name from feedback_labels l where l.negative))`;
/** Whether feedback row `f` is positive, as SQL: thumbs up or a score of 4 or more. */
export const positiveSql = (f: string) => `(${f}.thumbs = 'up' or ${f}.score >= 4)`;

/**
 * The runs (`runs` in the query) whose feedback matches, as SQL for a where clause. Feedback is rare beside runs:
 * the runs with it are found from run_feedback (an IN list the planner drives from), not by probing every run.
 */
export function feedbackFilterSql(which: FeedbackFilter): string {
  const withFeedback = (cond: string) =>
    `runs.id in (select f.run_id from run_feedback f${cond ? ` where ${cond}` : ''})`;
  if (which === 'negative') return withFeedback(negativeSql('f'));
  if (which === 'positive') return withFeedback(positiveSql('f'));
  if (which === 'any') return withFeedback('');
  return 'not exists (select 1 from run_feedback f where f.run_id = runs.id)';
}

/** The summary a run view shows, `{count, negative, positive, score}` or null, as JSON text in the store's dialect. */
export function feedbackSummarySql(dialect: Store['dialect']): string {
  const count = (cond: string) => `sum(case when ${cond} then 1 else 0 end)`;
  const fields = `'count', count(*), 'negative', ${count(negativeSql('f'))}, 'positive', ${count(positiveSql('f'))}`;
  const body =
    dialect === 'sqlite'
      ? `json_object(${fields}, 'score', round(avg(f.score), 2))`
      : `json_build_object(${fields}, 'score', round(avg(f.score)::numeric, 2))::text`;
  return `coalesce((select ${body} from run_feedback f where f.run_id = runs.id having count(*) > 0), 'null')`;
}

interface FeedbackRow extends NewFeedback {
  createdAt: string;
  negative: number | boolean;
}

const asFeedback = (r: FeedbackRow): Feedback => ({
  id: r.id,
  runId: r.runId,
  stepId: r.stepId,
  thumbs: r.thumbs,
  score: r.score === null ? null : Number(r.score),
  label: r.label,
  note: r.note,
  negative: Boolean(r.negative),
  createdAt: r.createdAt,
});

/** A run's feedback, oldest first, each with whether it is negative now. */
export async function listFeedback(db: Knex, runId: string, id?: string): Promise<Feedback[]> {
  const q = db('run_feedback as f')
    .where('f.runId', runId)
    .orderBy('f.createdAt')
    .orderBy('f.id')
    .select('f.*', db.raw(`case when ${negativeSql('f')} then 1 else 0 end as negative`));
  if (id) q.where('f.id', id);
  return ((await q) as FeedbackRow[]).map(asFeedback);
}

/** The run's notes joined, as the search indexes them (null when it has none). */
async function keepNotes(trx: Knex, runId: string): Promise<void> {
  const rows = (await trx('run_feedback')
    .where('runId', runId)
    .whereNotNull('note')
    .orderBy('createdAt')
    .orderBy('id')
    .select('note')) as Array<{ note: string }>;
  const notes = rows.map((r) => r.note).join(' ');
  await trx('runs')
    .where('id', runId)
    .update({ feedbackNotes: notes || null });
}

export async function addFeedback(store: Store, f: NewFeedback): Promise<Feedback> {
  return store.knex.transaction(async (trx) => {
    await trx('run_feedback').insert({ ...f, createdAt: new Date().toISOString() });
    if (f.note) await keepNotes(trx, f.runId);
    return (await listFeedback(trx, f.runId, f.id))[0]!;
  });
}

/** Delete one feedback of a run (a NotFoundError when the run has no such feedback). */
export async function deleteFeedback(store: Store, runId: string, id: string): Promise<void> {
  await store.knex.transaction(async (trx) => {
    const gone = await trx('run_feedback').where({ runId, id }).del();
    if (!gone) throw new NotFoundError('feedback', id);
    await keepNotes(trx, runId);
  });
}

/** The step ids a run has events for (started, reused or completed). */
export async function runStepIds(store: Store, runId: string): Promise<string[]> {
  const rows = (await store
    .knex('run_events')
    .where('runId', runId)
    .whereIn('type', ['step.started', 'step.reused', 'step.completed'])
    .select('key')) as Array<{ key: string }>;
  return [...new Set(rows.map((r) => r.key.replace(/^step:/, '').replace(/:(started|reused|completed)$/, '')))];
}

export async function feedbackLabels(store: Store): Promise<FeedbackLabel[]> {
  const rows = (await store.knex('feedback_labels').orderBy('position').select('name', 'negative')) as Array<{
    name: string;
    negative: number | boolean;
  }>;
  return rows.map((r) => ({ name: r.name, negative: Boolean(r.negative) }));
}

/** Replace the project's labels as a whole, in the order given. */
export async function setFeedbackLabels(store: Store, labels: FeedbackLabel[]): Promise<void> {
  await store.knex.transaction(async (trx) => {
    await trx('feedback_labels').del();
    if (labels.length) await trx('feedback_labels').insert(labels.map((l, position) => ({ ...l, position })));
  });
}
