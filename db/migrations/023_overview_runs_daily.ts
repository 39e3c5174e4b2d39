// The overview's run cells per day, merged from a day's four 6-hour cells as the refresh replaces them
// (docs/decisions/0020-overview-rollups.md): the 30-day window reads a quarter of the cells, as its usage already does.
import type { Knex } from 'knex';
import { runCells } from './021_overview_rollups.js';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('overview_runs_daily', runCells);
  // Every hour with runs marked whole: the next long look merges every day (the 6-hour cells stay as they are).
  await knex.raw(`insert into overview_dirty (hour) select distinct substr(created_at, 1, 13) from runs`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('overview_runs_daily');
}
