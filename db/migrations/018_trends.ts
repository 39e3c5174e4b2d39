// A component's or pipeline's runs and evals by its type and name (api/services/trends.ts): one index on the
// target's JSON fields, written as db/repositories/trends.ts writes them. Led by the type, so the runs list's
// filter on the name alone keeps the plan it has.
import type { Knex } from 'knex';

const INDEX = 'runs_target_name_kind_created';

export async function up(knex: Knex): Promise<void> {
  if (String(knex.client.config.client).includes('sqlite'))
    await knex.raw(
      `create index ${INDEX} on runs (json_extract(target, '$.type'), json_extract(target, '$.name'), kind, created_at)`,
    );
  else
    await knex.raw(
      `create index ${INDEX} on runs (((target::jsonb)->>'type'), ((target::jsonb)->>'name'), kind, created_at)`,
    );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index if exists ${INDEX}`);
}
