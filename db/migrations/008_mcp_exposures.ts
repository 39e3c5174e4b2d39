// What the harness offers as an MCP server: components, pipelines (latest or pinned) and datasets the user exposed.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mcp_exposures', (t) => {
    t.string('kind', 16).notNullable();
    t.string('name', 120).notNullable();
    /** null: the latest version at each call. */
    t.integer('version').nullable();
    t.string('created_at', 32).notNullable();
    t.primary(['kind', 'name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mcp_exposures');
}
