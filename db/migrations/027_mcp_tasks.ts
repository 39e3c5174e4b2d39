// MCP tasks: a tools/call a client asked to run as a task is a run; this row says it is one, and until when its
// result stays fetchable (the run itself stays as long as the user keeps it).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mcp_tasks', (t) => {
    t.string('run_id', 80).primary().references('id').inTable('runs').onDelete('CASCADE');
    t.string('tool', 64).notNullable();
    t.string('created_at', 32).notNullable();
    /** The retention granted, in ms from creation. */
    t.bigInteger('ttl_ms').notNullable();
    t.string('expires_at', 32).notNullable().index();
    /** Set by tasks/cancel: the task is cancelled from then on, while its workflow winds down. */
    t.string('cancelled_at', 32).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('mcp_tasks');
}
