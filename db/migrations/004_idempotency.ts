// Versions saved by workflows carry an idempotency key, so a retried or replayed save finds its row.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  for (const kind of ['component', 'pipeline']) {
    await knex.schema.alterTable(`${kind}_versions`, (t) => {
      t.string('idempotency_key', 200).nullable().unique();
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const kind of ['component', 'pipeline']) {
    await knex.schema.alterTable(`${kind}_versions`, (t) => {
      t.dropUnique(['idempotency_key']);
      t.dropColumn('idempotency_key');
    });
  }
}
