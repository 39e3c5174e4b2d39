// The overview's marks name the target whose cells a change moves, so a refresh recomputes that target's runs and
// calls in the bucket instead of every target's (docs/decisions/0020-overview-rollups.md). A mark without a target
// (those 021 left, and an hour marked whole) still recomputes its whole bucket.
import type { Knex } from 'knex';
import { onSqlite, postgresTriggers, RUN_COLUMNS, sqliteTriggers } from './021_overview_rollups.js';

const SQLITE_TRIGGERS = ['runs_insert', 'runs_update', 'runs_delete', 'calls_insert', 'calls_update', 'calls_delete'];

/** One mark per change, of the row's hour and target ('' for none); never deduplicated, as in 021. */
const mark = (row: string, hourOf: string) =>
  `insert into overview_dirty (hour, target_name) values (substr(${row}.${hourOf}, 1, 13), coalesce(${row}.target_name, ''))`;
/** An update's new hour and target, when it moved the row to another (the old ones are marked anyway). */
const markMoved = (hourOf: string) =>
  `insert into overview_dirty (hour, target_name) select substr(new.${hourOf}, 1, 13), coalesce(new.target_name, '')
   where substr(new.${hourOf}, 1, 13) <> substr(old.${hourOf}, 1, 13) or coalesce(new.target_name, '') <> coalesce(old.target_name, '')`;
/** A new call adds its provider and model to its run's cells, in the run's hour and under the run's target. */
const markRunOf = (call: string) =>
  `insert into overview_dirty (hour, target_name) select substr(created_at, 1, 13), coalesce(target_name, '') from runs where id = ${call}.run_id`;

const RUN_UPDATE = [...RUN_COLUMNS, 'target_name'];

async function sqliteMarks(knex: Knex): Promise<void> {
  const triggers: Record<string, [string, string[]]> = {
    runs_insert: ['after insert on runs', [mark('new', 'created_at')]],
    runs_update: [
      `after update of ${RUN_UPDATE.join(', ')} on runs`,
      [mark('old', 'created_at'), markMoved('created_at')],
    ],
    runs_delete: ['after delete on runs', [mark('old', 'created_at')]],
    calls_insert: ['after insert on model_calls', [mark('new', 'at'), markRunOf('new')]],
    calls_update: ['after update on model_calls', [mark('old', 'at'), markMoved('at')]],
    calls_delete: ['after delete on model_calls', [mark('old', 'at')]],
  };
  for (const [name, [when, body]] of Object.entries(triggers))
    await knex.raw(`create trigger overview_dirty_${name} ${when} begin ${body.join('; ')}; end`);
}

async function postgresMarks(knex: Knex): Promise<void> {
  await knex.raw(`
    create or replace function overview_mark_run() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then ${mark('old', 'created_at')}; end if;
      if tg_op = 'INSERT' then ${mark('new', 'created_at')}; end if;
      if tg_op = 'UPDATE' then ${markMoved('created_at')}; end if;
      return null;
    end $$`);
  await knex.raw(`
    create or replace function overview_mark_call() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then ${mark('old', 'at')}; end if;
      if tg_op = 'INSERT' then ${mark('new', 'at')}; ${markRunOf('new')}; end if;
      if tg_op = 'UPDATE' then ${markMoved('at')}; end if;
      return null;
    end $$`);
  await knex.raw('drop trigger overview_dirty_runs on runs');
  await knex.raw(
    `create trigger overview_dirty_runs after insert or delete or update of ${RUN_UPDATE.join(', ')} on runs
     for each row execute function overview_mark_run()`,
  );
}

async function dropMarks(knex: Knex): Promise<void> {
  if (onSqlite(knex)) {
    for (const name of SQLITE_TRIGGERS) await knex.raw(`drop trigger if exists overview_dirty_${name}`);
    return;
  }
  await knex.raw('drop trigger if exists overview_dirty_runs on runs');
  await knex.raw('drop trigger if exists overview_dirty_calls on model_calls');
  await knex.raw('drop function if exists overview_mark_run()');
  await knex.raw('drop function if exists overview_mark_call()');
}

export async function up(knex: Knex): Promise<void> {
  // Null: the whole hour (every mark made before this migration).
  await knex.schema.alterTable('overview_dirty', (t) => t.text('target_name'));
  if (onSqlite(knex)) {
    await dropMarks(knex);
    await sqliteMarks(knex);
  } else await postgresMarks(knex);
}

export async function down(knex: Knex): Promise<void> {
  // The triggers first: SQLite drops the column by copying the table, which they name.
  await dropMarks(knex);
  // The marks made since stand for their whole hour again.
  await knex.schema.alterTable('overview_dirty', (t) => t.dropColumn('target_name'));
  if (onSqlite(knex)) await sqliteTriggers(knex);
  else await postgresTriggers(knex);
}
