// Labels on versions (one version per label per object), every move of one, and the versions each run used.
import type { LabelKind, RunVersions } from '../../core/versions.js';
import type { Store } from '../knex.js';

export interface Label {
  label: string;
  version: number;
  updatedAt: string;
}

export interface LabelMove {
  label: string;
  from: number | null;
  to: number;
  via: string;
  at: string;
}

export async function labelsOf(store: Store, kind: LabelKind, parentId: string): Promise<Label[]> {
  return store.knex('labels').where({ kind, parentId }).orderBy('label').select('label', 'version', 'updatedAt');
}

/** The version a label names now, or undefined when the object has no such label. */
export async function labelVersion(
  store: Store,
  kind: LabelKind,
  parentId: string,
  label: string,
): Promise<number | undefined> {
  const row = (await store.knex('labels').where({ kind, parentId, label }).first('version')) as
    { version: number } | undefined;
  return row ? Number(row.version) : undefined;
}

/** Point a label at a version and record the move (nothing is recorded when it already points there). */
export async function moveLabel(
  store: Store,
  m: { kind: LabelKind; parentId: string; label: string; version: number; via: string },
): Promise<{ from: number | null; moved: boolean }> {
  return store.knex.transaction(async (trx) => {
    const { kind, parentId, label, version, via } = m;
    const at = new Date().toISOString();
    const row = (await trx('labels').where({ kind, parentId, label }).forUpdate().first('version')) as
      { version: number } | undefined;
    const from = row ? Number(row.version) : null;
    if (from === version) return { from, moved: false };
    await trx('labels')
      .insert({ kind, parentId, label, version, updatedAt: at })
      .onConflict(['kind', 'parentId', 'label'])
      .merge();
    await trx('label_moves').insert({ kind, parentId, label, fromVersion: from, toVersion: version, via, at });
    return { from, moved: true };
  });
}

/** An object's label moves, newest first. */
export async function labelMoves(store: Store, kind: LabelKind, parentId: string, limit = 200): Promise<LabelMove[]> {
  const rows = (await store
    .knex('label_moves')
    .where({ kind, parentId })
    .orderBy('id', 'desc')
    .limit(limit)
    .select('label', 'fromVersion', 'toVersion', 'via', 'at')) as Array<{
    label: string;
    fromVersion: number | null;
    toVersion: number;
    via: string;
    at: string;
  }>;
  return rows.map((r) => ({
    label: r.label,
    from: r.fromVersion === null ? null : Number(r.fromVersion),
    to: Number(r.toVersion),
    via: r.via,
    at: r.at,
  }));
}

export async function saveRunVersions(store: Store, runId: string, versions: RunVersions): Promise<void> {
  await store
    .knex('run_versions')
    .insert({ runId, versions: JSON.stringify(versions) })
    .onConflict('runId')
    .ignore();
}

export async function getRunVersions(store: Store, runId: string): Promise<RunVersions | undefined> {
  const row = (await store.knex('run_versions').where('runId', runId).first('versions')) as
    { versions: string } | undefined;
  return row ? (JSON.parse(row.versions) as RunVersions) : undefined;
}
