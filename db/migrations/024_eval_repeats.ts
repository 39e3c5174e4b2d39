// An eval may run each example several times (`repeats`): each repeat keeps its own result, never collapsed.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('eval_results', (t) => {
    t.integer('repeat').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('eval_results', (t) => {
    t.dropUnique(['eval_run_id', 'example_id']);
    t.unique(['eval_run_id', 'example_id', 'repeat']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('eval_results').where('repeat', '>', 0).delete();
  await knex.schema.alterTable('eval_results', (t) => {
    t.dropUnique(['eval_run_id', 'example_id', 'repeat']);
    t.unique(['eval_run_id', 'example_id']);
  });
  await knex.schema.alterTable('eval_results', (t) => {
    t.dropColumn('repeat');
  });
}
