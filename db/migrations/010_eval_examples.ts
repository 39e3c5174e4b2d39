// An eval's examples, fixed when it starts: each continued-as-new segment reads its next examples by
// position, so the workflow carries a cursor instead of every example's id.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('eval_examples', (t) => {
    t.string('eval_run_id', 40).notNullable().references('id').inTable('runs').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.string('example_id', 40).notNullable();
    t.primary(['eval_run_id', 'position']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('eval_examples');
}
