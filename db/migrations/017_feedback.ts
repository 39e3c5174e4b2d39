// Feedback on runs and steps (issue 35): thumbs, a 1–5 score, a label from the project's list, a note. A run's
// notes are kept joined on the run (feedback_notes) so the search of 009_run_search finds them the same way it finds
// its inputs and outputs: one more column in the FTS5 text (SQLite) and in the generated tsvector (PostgreSQL).
import type { Knex } from 'knex';

const onSqlite = (knex: Knex) => String(knex.client.config.client).includes('sqlite');

/** The labels a new project starts with (PUT /api/feedback/labels replaces them). */
const DEFAULT_LABELS = [
  { name: 'incorrect', negative: true },
  { name: 'unhelpful', negative: true },
  { name: 'unsafe', negative: true },
  { name: 'helpful', negative: false },
];

/** SQLite: the string values of a JSON text, space-separated (as 009). */
const values = (json: string) =>
  `coalesce((select group_concat(value, ' ') from json_tree(${json}) where type = 'text'), '')`;
/** SQLite: what is indexed for a row, with (`notes`) or without its feedback notes (009's text). */
const searchText = (row: string, notes: boolean) =>
  `${values(`${row}.inputs`)} || ' ' || ${values(`coalesce(${row}.outputs, 'null')`)}${notes ? ` || ' ' || coalesce(${row}.feedback_notes, '')` : ''}`;

/** SQLite: the three triggers that keep runs_search, over the given columns and text. */
async function sqliteTriggers(knex: Knex, notes: boolean): Promise<void> {
  for (const t of ['insert', 'update', 'delete']) await knex.raw(`drop trigger if exists runs_search_${t}`);
  const text = (row: string) => searchText(row, notes);
  await knex.raw(
    `create trigger runs_search_insert after insert on runs begin insert into runs_search(rowid, text) values (new.rowid, ${text('new')}); end`,
  );
  await knex.raw(
    `create trigger runs_search_update after update of inputs, outputs${notes ? ', feedback_notes' : ''} on runs begin insert into runs_search(runs_search, rowid, text) values ('delete', old.rowid, ${text('old')}); insert into runs_search(rowid, text) values (new.rowid, ${text('new')}); end`,
  );
  await knex.raw(
    `create trigger runs_search_delete after delete on runs begin insert into runs_search(runs_search, rowid, text) values ('delete', old.rowid, ${text('old')}); end`,
  );
}

/** PostgreSQL: the generated search column, with or without the feedback notes. */
async function postgresSearch(knex: Knex, notes: boolean): Promise<void> {
  const json = (col: string) => `jsonb_to_tsvector('simple', ${col}::jsonb, '["string"]')`;
  const extra = notes ? ` || to_tsvector('simple', coalesce(feedback_notes, ''))` : '';
  await knex.raw('drop index if exists runs_search_index');
  await knex.raw('alter table runs drop column if exists search');
  await knex.raw(
    `alter table runs add column search tsvector generated always as (${json('inputs')} || ${json(`coalesce(outputs, 'null')`)}${extra}) stored`,
  );
  await knex.raw('create index runs_search_index on runs using gin (search)');
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('run_feedback', (t) => {
    t.string('id', 40).primary();
    t.string('run_id', 80).notNullable().references('id').inTable('runs').onDelete('CASCADE');
    t.string('step_id', 200).nullable();
    t.string('thumbs', 4).nullable();
    t.integer('score').nullable();
    t.string('label', 64).nullable();
    t.text('note').nullable();
    t.string('created_at', 32).notNullable();
    t.index(['run_id']);
  });
  await knex.schema.createTable('feedback_labels', (t) => {
    t.string('name', 64).primary();
    t.boolean('negative').notNullable();
    t.integer('position').notNullable();
  });
  await knex('feedback_labels').insert(DEFAULT_LABELS.map((l, position) => ({ ...l, position })));
  await knex.schema.alterTable('runs', (t) => {
    t.text('feedback_notes').nullable();
  });
  // No run has notes yet: the text indexed so far is what the new triggers compute, so nothing is reindexed.
  if (onSqlite(knex)) await sqliteTriggers(knex, true);
  else await postgresSearch(knex, true);
}

export async function down(knex: Knex): Promise<void> {
  if (onSqlite(knex)) {
    // The notes leave the index first, while the triggers still know them.
    await knex('runs').whereNotNull('feedback_notes').update({ feedback_notes: null });
    await sqliteTriggers(knex, false);
  } else await postgresSearch(knex, false);
  // SQLite's own drop column: knex's copy of the table would lose the search triggers and its generated columns.
  await knex.raw('alter table runs drop column feedback_notes');
  await knex.schema.dropTableIfExists('feedback_labels');
  await knex.schema.dropTableIfExists('run_feedback');
}
