// Large Temporal payloads live here and histories hold a reference (the claim-check pattern): a step's
// big output never nears Temporal's 2 MB payload limit, and histories stay small.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('payload_artifacts', (t) => {
    t.string('sha256', 64).primary();
    // The workflow whose payload it is, when the SDK says: deleting a run deletes its artifacts.
    t.string('workflow_id', 200).index();
    t.integer('bytes').notNullable();
    t.binary('data').notNullable();
    t.string('created_at', 32).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('payload_artifacts');
}
