// Chats and their transcripts; a message's key makes a retried turn write it once.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('chats', (t) => {
    t.string('id', 40).primary();
    t.string('title', 200).notNullable();
    t.text('target').notNullable();
    t.string('run_id', 40).notNullable().references('id').inTable('runs');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
  });
  await knex.schema.createTable('chat_messages', (t) => {
    t.increments('id');
    t.string('chat_id', 40).notNullable().references('id').inTable('chats').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.string('key', 120).notNullable();
    t.string('role', 16).notNullable();
    t.text('content').notNullable();
    t.text('usage');
    t.string('created_at', 32).notNullable();
    t.unique(['chat_id', 'seq']);
    t.unique(['chat_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('chat_messages');
  await knex.schema.dropTableIfExists('chats');
}
