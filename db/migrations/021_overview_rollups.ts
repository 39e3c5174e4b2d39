// The overview's week and 30-day windows read rollups per 6-hour bucket (docs/decisions/0020-overview-rollups.md).
// The database marks the hour of every change that moves a rollup (triggers, so no write path can forget it); the
// overview recomputes the marked buckets of its window before it reads. Every existing hour starts marked.
import type { Knex } from 'knex';

export const onSqlite = (knex: Knex) => String(knex.client.config.client).includes('sqlite');

/** The runs columns a rollup reads: a change to any of them moves its run's bucket. */
export const RUN_COLUMNS = [
  'status',
  'created_at',
  'started_at',
  'ended_at',
  'archived_at',
  'origin',
  'fork_of_run',
  'target',
];

/** One mark per change: never deduplicated, since a reader may be consuming the mark a writer would lean on. */
const mark = (hourOf: string) => `insert into overview_dirty (hour) values (substr(${hourOf}, 1, 13))`;
/** An update's new hour, when it moved the row to another hour (the old one is marked anyway). */
const markMoved = (newHour: string, oldHour: string) =>
  `insert into overview_dirty (hour) select substr(${newHour}, 1, 13) where substr(${newHour}, 1, 13) <> substr(${oldHour}, 1, 13)`;
const markRunOf = (call: string) =>
  `insert into overview_dirty (hour) select substr(created_at, 1, 13) from runs where id = ${call}.run_id`;

export async function sqliteTriggers(knex: Knex): Promise<void> {
  const triggers: Record<string, [string, string[]]> = {
    runs_insert: ['after insert on runs', [mark('new.created_at')]],
    runs_update: [
      `after update of ${RUN_COLUMNS.join(', ')} on runs`,
      [mark('old.created_at'), markMoved('new.created_at', 'old.created_at')],
    ],
    runs_delete: ['after delete on runs', [mark('old.created_at')]],
    calls_insert: ['after insert on model_calls', [mark('new.at'), markRunOf('new')]],
    calls_update: ['after update on model_calls', [mark('old.at'), markMoved('new.at', 'old.at')]],
    calls_delete: ['after delete on model_calls', [mark('old.at')]],
  };
  for (const [name, [when, body]] of Object.entries(triggers))
    await knex.raw(`create trigger overview_dirty_${name} ${when} begin ${body.join('; ')}; end`);
}

export async function postgresTriggers(knex: Knex): Promise<void> {
  await knex.raw(`
    create function overview_mark_run() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then ${mark('old.created_at')}; end if;
      if tg_op = 'INSERT' then ${mark('new.created_at')}; end if;
      if tg_op = 'UPDATE' then ${markMoved('new.created_at', 'old.created_at')}; end if;
      return null;
    end $$`);
  await knex.raw(`
    create function overview_mark_call() returns trigger language plpgsql as $$
    begin
      if tg_op <> 'INSERT' then ${mark('old.at')}; end if;
      if tg_op = 'INSERT' then ${mark('new.at')}; ${markRunOf('new')}; end if;
      if tg_op = 'UPDATE' then ${markMoved('new.at', 'old.at')}; end if;
      return null;
    end $$`);
  await knex.raw(
    `create trigger overview_dirty_runs after insert or delete or update of ${RUN_COLUMNS.join(', ')} on runs
     for each row execute function overview_mark_run()`,
  );
  await knex.raw(
    `create trigger overview_dirty_calls after insert or update or delete on model_calls
     for each row execute function overview_mark_call()`,
  );
}

/** A cell's key: its 6-hour bucket ('YYYY-MM-DDTHH') or day, and what the overview filters by. */
export function cellKey(t: Knex.CreateTableBuilder): void {
  t.string('bucket', 13).notNullable();
  t.string('provider', 64).notNullable();
  t.text('model').notNullable();
  t.text('target_name').notNullable();
  t.text('origin_class').notNullable();
  t.integer('forked').notNullable();
}

export const KEY = ['provider', 'model', 'bucket', 'target_name', 'origin_class', 'forked'];

/** Runs per cell: counts, and the ended runs' wall times (core/latency-sketch.ts's encodeSketch). */
export function runCells(t: Knex.CreateTableBuilder): void {
  cellKey(t);
  t.integer('runs').notNullable();
  t.integer('failed').notNullable();
  t.integer('ended').notNullable();
  t.binary('latency').notNullable();
  t.primary(KEY);
  // A bucket's cells, as its refresh reads and replaces them.
  t.index(['bucket']);
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('overview_dirty', (t) => {
    t.bigIncrements('id');
    t.string('hour', 13).notNullable();
    t.index(['hour', 'id']);
  });
  // Runs per cell; provider and model are '*' (any) or a provider/model the cell's runs made a call with.
  await knex.schema.createTable('overview_runs', runCells);
  // Model calls per cell, by the call's own time (what was spent when); and the same per day, summed from the day's
  // four buckets, so the 30-day window reads a quarter of the cells.
  for (const table of ['overview_usage', 'overview_usage_daily']) {
    await knex.schema.createTable(table, (t) => {
      cellKey(t);
      t.bigInteger('input_tokens').notNullable();
      t.bigInteger('output_tokens').notNullable();
      t.double('cost_usd').notNullable();
      t.primary(KEY);
    });
    // The long windows' usage reads this index alone.
    await knex.raw(
      `create index ${table}_window on ${table} (bucket, provider, model, target_name, origin_class, forked, input_tokens, output_tokens, cost_usd)`,
    );
  }
  if (onSqlite(knex)) await sqliteTriggers(knex);
  else await postgresTriggers(knex);
  await knex.raw(`insert into overview_dirty (hour) select distinct substr(created_at, 1, 13) from runs`);
  await knex.raw(`insert into overview_dirty (hour) select distinct substr(at, 1, 13) from model_calls`);
}

export async function down(knex: Knex): Promise<void> {
  if (onSqlite(knex))
    for (const name of ['runs_insert', 'runs_update', 'runs_delete', 'calls_insert', 'calls_update', 'calls_delete'])
      await knex.raw(`drop trigger if exists overview_dirty_${name}`);
  else {
    await knex.raw('drop trigger if exists overview_dirty_runs on runs');
    await knex.raw('drop trigger if exists overview_dirty_calls on model_calls');
    await knex.raw('drop function if exists overview_mark_run()');
    await knex.raw('drop function if exists overview_mark_call()');
  }
  for (const table of ['overview_usage_daily', 'overview_usage', 'overview_runs', 'overview_dirty'])
    await knex.schema.dropTableIfExists(table);
}
