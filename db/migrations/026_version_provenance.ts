// Where a component version came from when an optimizer saved it: the run, the dataset as it was, the metric,
// and the scores before and after with their intervals. Other versions have none.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('component_versions', (t) => {
    t.text('provenance');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('component_versions', (t) => {
    t.dropColumn('provenance');
  });
}
