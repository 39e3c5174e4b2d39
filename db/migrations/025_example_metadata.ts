// What an imported example carried besides its inputs and expected answer (a Langfuse item's metadata and
// source trace), kept so an export gives it back.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dataset_examples', (t) => {
    t.text('metadata');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('dataset_examples', (t) => {
    t.dropColumn('metadata');
  });
}
