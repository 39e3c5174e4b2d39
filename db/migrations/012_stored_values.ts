// Large values stored once: a string over the threshold in an event, a run's outputs or a step cache row
// is kept here by its SHA-256 and referred to from there (db/repositories/stored-values.ts).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('stored_values', (t) => {
    t.string('sha256', 64).primary();
    t.integer('bytes').notNullable();
    // The value itself, or (parts) a JSON array of strings and references whose concatenation it is.
    t.text('text').notNullable();
    t.boolean('parts').notNullable();
    t.string('created_at', 32).notNullable();
  });
  // Which runs refer to a value: deleting a run (a chat's) deletes the values no other run refers to.
  await knex.schema.createTable('stored_value_runs', (t) => {
    t.string('sha256', 64).notNullable();
    t.string('run_id', 80).notNullable().index();
    t.primary(['sha256', 'run_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('stored_value_runs');
  await knex.schema.dropTableIfExists('stored_values');
}
