// Apps (versioned manifests like components), their bridge state, and the origin of runs they start.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('apps', (t) => {
    t.string('id', 40).primary();
    t.string('name', 64).notNullable().unique();
    t.integer('latest_version').notNullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('app_versions', (t) => {
    t.string('id', 40).primary();
    t.string('parent_id', 40).notNullable().references('id').inTable('apps').onDelete('CASCADE');
    t.integer('version').notNullable();
    t.text('spec').notNullable();
    t.string('idempotency_key', 200).nullable().unique();
    t.string('created_at', 32).notNullable();
    t.unique(['parent_id', 'version']);
  });
  // What an HTML app keeps between visits (through the bridge), one JSON document per app.
  await knex.schema.createTable('app_state', (t) => {
    t.string('app_id', 40).primary().references('id').inTable('apps').onDelete('CASCADE');
    t.text('state').notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.alterTable('runs', (t) => {
    t.string('origin', 200).nullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('runs', (t) => t.dropColumn('origin'));
  for (const t of ['app_state', 'app_versions', 'apps']) await knex.schema.dropTableIfExists(t);
}
