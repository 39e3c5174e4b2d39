// Archived runs and components are hidden from lists until a filter asks for them (issue 29); a chat waiting
// for its next message is idle, not running: chats under way when this runs are idle until their next turn.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // No index: nearly every run is unarchived, and SQLite (without ANALYZE) took `archived_at is null` through
  // one, sorting the whole table by id and building every row's view for a page of 50 (8.6 s at 100k runs).
  await knex.schema.alterTable('runs', (t) => {
    t.string('archived_at', 32).nullable();
  });
  await knex.schema.alterTable('components', (t) => {
    t.string('archived_at', 32).nullable();
  });
  // A chat's run shows as the chat: found by its run.
  await knex.schema.alterTable('chats', (t) => t.index(['run_id']));
  await knex('runs').where({ kind: 'chat', status: 'running' }).update({ status: 'idle' });
}

export async function down(knex: Knex): Promise<void> {
  await knex('runs').where({ kind: 'chat', status: 'idle' }).update({ status: 'running' });
  await knex.schema.alterTable('chats', (t) => t.dropIndex(['run_id']));
  await knex.schema.alterTable('components', (t) => t.dropColumn('archived_at'));
  await knex.schema.alterTable('runs', (t) => t.dropColumn('archived_at'));
}
