// The foundation schema: providers, versioned components and pipelines, runs, run_events, audit_log.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('providers', (t) => {
    t.string('id', 40).primary();
    t.string('name', 64).notNullable().unique();
    t.string('type', 16).notNullable();
    t.text('base_url');
    t.text('api_key_enc');
    t.text('default_model');
    t.text('options');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  for (const kind of ['component', 'pipeline'] as const) {
    await knex.schema.createTable(`${kind}s`, (t) => {
      t.string('id', 40).primary();
      t.string('name', 64).notNullable().unique();
      t.integer('latest_version').notNullable();
      t.string('created_at', 32).notNullable();
      t.string('updated_at', 32).notNullable();
    });
    await knex.schema.createTable(`${kind}_versions`, (t) => {
      t.string('id', 40).primary();
      t.string('parent_id', 40).notNullable().references('id').inTable(`${kind}s`).onDelete('CASCADE');
      t.integer('version').notNullable();
      t.text('spec').notNullable();
      t.string('created_at', 32).notNullable();
      t.unique(['parent_id', 'version']);
    });
  }
  await knex.schema.createTable('runs', (t) => {
    t.string('id', 40).primary();
    t.string('kind', 16).notNullable().index();
    t.string('status', 20).notNullable().index();
    t.text('target').notNullable();
    t.text('inputs').notNullable();
    t.text('outputs');
    t.text('error');
    t.string('workflow_id', 80).notNullable();
    t.string('temporal_run_id', 80);
    t.integer('input_tokens').notNullable().defaultTo(0);
    t.integer('output_tokens').notNullable().defaultTo(0);
    t.double('cost_usd').notNullable().defaultTo(0);
    t.integer('last_seq').notNullable().defaultTo(0);
    t.string('created_at', 32).notNullable();
    t.string('started_at', 32);
    t.string('ended_at', 32);
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('run_events', (t) => {
    t.increments('id');
    t.string('run_id', 40).notNullable().references('id').inTable('runs').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.string('key', 200).notNullable();
    t.string('type', 40).notNullable();
    t.text('data').notNullable();
    t.string('time', 32).notNullable();
    t.unique(['run_id', 'seq']);
    t.unique(['run_id', 'key']);
  });
  await knex.schema.createTable('audit_log', (t) => {
    t.increments('id');
    t.string('at', 32).notNullable();
    t.string('actor', 64).notNullable();
    t.string('action', 64).notNullable();
    t.string('subject', 200).notNullable();
    t.text('details');
  });
  await knex.schema.createTable('meta', (t) => {
    t.string('key', 64).primary();
    t.text('value').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'meta',
    'audit_log',
    'run_events',
    'runs',
    'pipeline_versions',
    'pipelines',
    'component_versions',
    'components',
    'providers',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
