// Versions that stay put (ADR 0017): the component versions a pipeline version pins, labels on versions and
// every move of one, and the exact versions each run used.
import type { Knex } from 'knex';

/** Each bare component name in a pipeline spec, as the steps write it. */
function bareRefs(spec: { steps?: Array<{ component?: string }> }): string[] {
  return [...new Set((spec.steps ?? []).map((s) => s.component ?? '').filter((c) => /^[a-z][a-z0-9_-]*$/.test(c)))];
}

export async function up(knex: Knex): Promise<void> {
  // `{ "qa": 2 }`: what a bare name resolved to when the version was saved.
  await knex.schema.alterTable('pipeline_versions', (t) => {
    t.text('pins').nullable();
  });
  // One version per label per object; the kind says which table parent_id is in.
  await knex.schema.createTable('labels', (t) => {
    t.string('kind', 16).notNullable();
    t.string('parent_id', 40).notNullable();
    t.string('label', 64).notNullable();
    t.integer('version').notNullable();
    t.string('updated_at', 32).notNullable();
    t.primary(['kind', 'parent_id', 'label']);
  });
  await knex.schema.createTable('label_moves', (t) => {
    t.increments('id');
    t.string('kind', 16).notNullable();
    t.string('parent_id', 40).notNullable();
    t.string('label', 64).notNullable();
    t.integer('from_version').nullable();
    t.integer('to_version').notNullable();
    t.string('via', 16).notNullable();
    t.string('at', 32).notNullable();
    t.index(['kind', 'parent_id']);
  });
  await knex.schema.createTable('run_versions', (t) => {
    t.string('run_id', 80).primary().references('id').inTable('runs').onDelete('CASCADE');
    t.text('versions').notNullable();
  });
  // Versions saved before pins existed: each bare name pins the version that was latest when that version was saved.
  const saved = (await knex('pipeline_versions').select('id', 'spec', 'createdAt')) as Array<{
    id: string;
    spec: string | Record<string, unknown>;
    createdAt: string;
  }>;
  for (const row of saved) {
    const spec = (typeof row.spec === 'string' ? JSON.parse(row.spec) : row.spec) as {
      steps?: Array<{ component?: string }>;
    };
    const pins: Record<string, number> = {};
    for (const name of bareRefs(spec)) {
      const head = (await knex('components').where('name', name).first('id')) as { id: string } | undefined;
      if (!head) continue;
      const then = (await knex('component_versions')
        .where('parentId', head.id)
        .where('createdAt', '<=', row.createdAt)
        .max('version as v')
        .first()) as { v: number | null } | undefined;
      const first = (await knex('component_versions').where('parentId', head.id).min('version as v').first()) as
        { v: number | null } | undefined;
      const v = then?.v ?? first?.v;
      if (v) pins[name] = Number(v);
    }
    await knex('pipeline_versions')
      .where('id', row.id)
      .update({ pins: JSON.stringify(pins) });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('run_versions');
  await knex.schema.dropTableIfExists('label_moves');
  await knex.schema.dropTableIfExists('labels');
  await knex.schema.alterTable('pipeline_versions', (t) => {
    t.dropColumn('pins');
  });
}
