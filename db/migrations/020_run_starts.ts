// A run's workflow start, kept from its row's insert until Temporal has it: a backend that dies between
// the two leaves a queued run the reconciler starts from here, instead of one it must fail.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('run_starts', (t) => {
    t.string('run_id', 80).primary().references('id').inTable('runs').onDelete('CASCADE');
    t.string('workflow', 80).notNullable();
    t.text('input').notNullable();
    t.string('created_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('run_starts');
}
