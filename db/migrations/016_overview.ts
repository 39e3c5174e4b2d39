// The overview's numbers at 100k runs / 1M events (docs/decisions/0018-overview-rollups.md): one narrow row per
// model call (provider and model live only in llm.request events), the target's name as an indexed column of the
// run, and indexes that cover the overview's window scans. Existing events are backfilled so old projects show history.
import type { Knex } from 'knex';

const onSqlite = (knex: Knex) => String(knex.client.config.client).includes('sqlite');

/** A JSON field of an event's data, as text, in the store's dialect. */
const field = (knex: Knex, column: string, path: string) =>
  onSqlite(knex) ? `json_extract(${column}, '$.${path}')` : `(${column}::jsonb)#>>'{${path.replaceAll('.', ',')}}'`;

async function addTargetName(knex: Knex): Promise<void> {
  if (onSqlite(knex)) {
    // A plain column kept by triggers, not a generated one: SQLite adds generated columns only as VIRTUAL, and an
    // index naming a virtual column never covers a query (each row is read from the table again: 10x slower here).
    await knex.raw('alter table runs add column target_name text');
    await knex.raw(`update runs set target_name = json_extract(target, '$.name')`);
    for (const [name, when] of [
      ['insert', 'after insert on runs'],
      ['update', 'after update of target on runs'],
    ])
      await knex.raw(
        `create trigger runs_target_name_${name} ${when} begin update runs set target_name = json_extract(new.target, '$.name') where rowid = new.rowid; end`,
      );
  } else
    await knex.raw(
      `alter table runs add column target_name text generated always as ((target::jsonb)->>'name') stored`,
    );
}

/** Every model call already in the store: its request, and its response's usage when it had one. */
async function backfillModelCalls(knex: Knex): Promise<void> {
  const callKey = onSqlite(knex) ? `substr(q.key, 1, length(q.key) - 8)` : `left(q.key, length(q.key) - 8)`;
  const num = (path: string) =>
    `coalesce(cast(${field(knex, 's.data', path)} as ${onSqlite(knex) ? 'real' : 'double precision'}), 0)`;
  await knex.raw(`
    insert into model_calls (run_id, call_key, at, provider, model, target_name, input_tokens, output_tokens, cost_usd, latency_ms)
    select q.run_id, ${callKey}, q.time, coalesce(${field(knex, 'q.data', 'provider')}, ''), coalesce(${field(knex, 'q.data', 'model')}, ''),
      r.target_name, ${num('usage.inputTokens')}, ${num('usage.outputTokens')}, ${num('costUsd')},
      round(cast(${field(knex, 's.data', 'latencyMs')} as ${onSqlite(knex) ? 'real' : 'double precision'}))
    from run_events q
    join runs r on r.id = q.run_id
    left join run_events s on s.run_id = q.run_id and s.key = ${callKey} || ':response'
    where q.type = 'llm.request'`);
}

export async function up(knex: Knex): Promise<void> {
  await addTargetName(knex);
  await knex.schema.createTable('model_calls', (t) => {
    t.increments('id');
    t.string('run_id', 40).notNullable().references('id').inTable('runs').onDelete('CASCADE');
    // `<callId>:<attempt>`: the llm.request's key without its `:request`.
    t.string('call_key', 200).notNullable();
    t.string('at', 32).notNullable();
    t.string('provider', 64).notNullable();
    t.text('model').notNullable();
    t.text('target_name');
    t.bigInteger('input_tokens').notNullable().defaultTo(0);
    t.bigInteger('output_tokens').notNullable().defaultTo(0);
    t.double('cost_usd').notNullable().defaultTo(0);
    t.integer('latency_ms');
    t.unique(['run_id', 'call_key']);
  });
  // The usage chart and the costliest targets read this index alone (a covering scan of the window).
  await knex.raw(
    'create index model_calls_window on model_calls (at, provider, model, target_name, input_tokens, output_tokens, cost_usd, run_id)',
  );
  // "Runs that made a call with this provider / model" (the runs list's and the overview's filter), bounded by time.
  await knex.raw('create index model_calls_provider on model_calls (provider, at, run_id)');
  await knex.raw('create index model_calls_model on model_calls (model, at, run_id)');
  // The overview's window scans over runs read this index alone on SQLite.
  await knex.raw(
    'create index runs_overview_window on runs (created_at, archived_at, target_name, status, started_at, ended_at, origin)',
  );
  await knex.raw('create index runs_target_name on runs (target_name, created_at)');
  await knex.raw('create index runs_kind_created on runs (kind, created_at)');
  await knex.raw('create index runs_status_updated on runs (status, updated_at)');
  await backfillModelCalls(knex);
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['runs_overview_window', 'runs_target_name', 'runs_kind_created', 'runs_status_updated'])
    await knex.raw(`drop index if exists ${index}`);
  await knex.schema.dropTableIfExists('model_calls');
  for (const name of ['insert', 'update']) await knex.raw(`drop trigger if exists runs_target_name_${name}`);
  await knex.raw('alter table runs drop column target_name');
}
