// Full-text search over the values in a run's inputs and outputs: FTS5 on SQLite (kept by triggers),
// a generated tsvector with a GIN index on PostgreSQL. The database keeps it, so a run written by any
// process is found; keys and JSON punctuation are not indexed, only string values.
import type { Knex } from 'knex';

const onSqlite = (knex: Knex) => String(knex.client.config.client).includes('sqlite');

/** The string values of a JSON text, space-separated. */
const values = (json: string) =>
  `coalesce((select group_concat(value, ' ') from json_tree(${json}) where type = 'text'), '')`;
/** What is indexed for a row (`new`, `old` or the table itself). */
const searchText = (row: string) =>
  `${values(`${row}.inputs`)} || ' ' || ${values(`coalesce(${row}.outputs, 'null')`)}`;

export async function up(knex: Knex): Promise<void> {
  if (onSqlite(knex)) {
    // Contentless: the text lives only in the index; a row's old text is recomputed to delete it.
    // Accents are kept, as PostgreSQL's 'simple' configuration keeps them (unaccent is an extension): both stores find the same runs.
    await knex.raw(
      `create virtual table runs_search using fts5(text, content='', tokenize='unicode61 remove_diacritics 0')`,
    );
    await knex.raw(
      `create trigger runs_search_insert after insert on runs begin insert into runs_search(rowid, text) values (new.rowid, ${searchText('new')}); end`,
    );
    await knex.raw(
      `create trigger runs_search_update after update of inputs, outputs on runs begin insert into runs_search(runs_search, rowid, text) values ('delete', old.rowid, ${searchText('old')}); insert into runs_search(rowid, text) values (new.rowid, ${searchText('new')}); end`,
    );
    await knex.raw(
      `create trigger runs_search_delete after delete on runs begin insert into runs_search(runs_search, rowid, text) values ('delete', old.rowid, ${searchText('old')}); end`,
    );
    await knex.raw(`insert into runs_search(rowid, text) select rowid, ${searchText('runs')} from runs`);
  } else {
    const values = (col: string) => `jsonb_to_tsvector('simple', ${col}::jsonb, '["string"]')`;
    await knex.raw(
      `alter table runs add column search tsvector generated always as (${values('inputs')} || ${values(`coalesce(outputs, 'null')`)}) stored`,
    );
    await knex.raw('create index runs_search_index on runs using gin (search)');
  }
}

export async function down(knex: Knex): Promise<void> {
  if (onSqlite(knex)) {
    for (const t of ['insert', 'update', 'delete']) await knex.raw(`drop trigger if exists runs_search_${t}`);
    await knex.raw('drop table if exists runs_search');
  } else {
    await knex.raw('drop index if exists runs_search_index');
    await knex.raw('alter table runs drop column if exists search');
  }
}
