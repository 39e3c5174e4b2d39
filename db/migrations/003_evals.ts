// Datasets of examples (with splits) and per-example eval results.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('datasets', (t) => {
    t.string('id', 40).primary();
    t.string('name', 64).notNullable().unique();
    t.text('description');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('dataset_examples', (t) => {
    t.string('id', 40).primary();
    t.string('dataset_id', 40).notNullable().references('id').inTable('datasets').onDelete('CASCADE');
    t.string('split', 8).notNullable();
    t.text('inputs').notNullable();
    t.text('expected').notNullable();
    t.string('source_run_id', 40);
    t.string('created_at', 32).notNullable();
    t.index(['dataset_id', 'split']);
  });
  await knex.schema.createTable('eval_results', (t) => {
    t.increments('id');
    t.string('eval_run_id', 40).notNullable().references('id').inTable('runs').onDelete('CASCADE');
    t.string('example_id', 40).notNullable();
    t.string('child_run_id', 40);
    t.text('outputs');
    t.text('scores').notNullable();
    t.text('details');
    t.text('error');
    t.integer('input_tokens').notNullable().defaultTo(0);
    t.integer('output_tokens').notNullable().defaultTo(0);
    t.double('cost_usd').notNullable().defaultTo(0);
    t.string('created_at', 32).notNullable();
    t.unique(['eval_run_id', 'example_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['eval_results', 'dataset_examples', 'datasets']) await knex.schema.dropTableIfExists(t);
}
