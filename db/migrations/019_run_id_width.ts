// Run ids did not fit on PostgreSQL: an eval's example run is `<eval run>-<example>` and an optimizer's trials
// are longer still, but runs.id and the columns pointing at it were varchar(40), so every eval failed at its
// first example there (SQLite does not enforce widths). The longest id composed is 62 characters
// (core/run-story/ids.ts LONGEST_RUN_ID: `run_<22>-candidate-ex_<22>`, an example of an optimizer's candidate eval);
// these columns become 80 wide, as every run id column from 006 on already is. A no-op on SQLite.
import type { Knex } from 'knex';

/** Run id columns narrower than 80, by table. */
const COLUMNS: Record<string, string[]> = {
  runs: ['id'],
  run_events: ['run_id'],
  chats: ['run_id'],
  dataset_examples: ['source_run_id'],
  eval_results: ['eval_run_id', 'child_run_id'],
  eval_examples: ['eval_run_id'],
  model_calls: ['run_id'],
};

const onSqlite = (knex: Knex) => String(knex.client.config.client).includes('sqlite');

/** Widening a varchar keeps its rows, indexes and foreign keys as they are (no rewrite). */
async function setWidth(knex: Knex, width: number): Promise<void> {
  if (onSqlite(knex)) return;
  for (const [table, columns] of Object.entries(COLUMNS)) {
    const alter = columns.map((c) => `alter column ${c} type varchar(${width})`).join(', ');
    await knex.raw(`alter table ${table} ${alter}`);
  }
}

export async function up(knex: Knex): Promise<void> {
  await setWidth(knex, 80);
}

/** Back to 40: fails while a longer id is stored, rather than cutting it. */
export async function down(knex: Knex): Promise<void> {
  await setWidth(knex, 40);
}
