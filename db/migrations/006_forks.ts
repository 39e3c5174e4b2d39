// Time travel: what each run was asked to do (its plan or agent spec), fork lineage, and the step cache.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('runs', (t) => {
    t.string('fork_of_run', 80).nullable().index();
    t.string('fork_of_step', 120).nullable();
  });
  // Kept apart from runs so listing runs never reads a plan; one row per run, written at its start.
  await knex.schema.createTable('run_definitions', (t) => {
    t.string('run_id', 80).primary().references('id').inTable('runs').onDelete('CASCADE');
    t.text('definition').notNullable();
  });
  // One row per distinct model call that produced valid outputs: the first run to produce it wins.
  await knex.schema.createTable('step_cache', (t) => {
    t.string('key', 64).primary();
    t.string('run_id', 80).notNullable();
    t.string('step_id', 120).notNullable();
    t.string('call_id', 160).notNullable();
    t.text('outputs').notNullable();
    t.string('created_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('step_cache');
  await knex.schema.dropTableIfExists('run_definitions');
  await knex.schema.alterTable('runs', (t) => {
    t.dropIndex(['fork_of_run']);
    t.dropColumn('fork_of_run');
    t.dropColumn('fork_of_step');
  });
}
