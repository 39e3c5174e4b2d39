// The targets the harness's MCP server lists: nothing is exposed until the user says so.
import type { Store } from '../knex.js';

export type ExposedKind = 'component' | 'pipeline' | 'dataset';
export interface Exposure {
  kind: ExposedKind;
  name: string;
  /** Pinned version; absent means the latest at each call. */
  version?: number | undefined;
}

export async function listExposures(store: Store): Promise<Exposure[]> {
  const rows = await store.knex('mcp_exposures').orderBy(['kind', 'name']).select('kind', 'name', 'version');
  return rows.map((r: { kind: ExposedKind; name: string; version: number | null }) => ({
    kind: r.kind,
    name: r.name,
    ...(r.version === null ? {} : { version: r.version }),
  }));
}

export async function expose(store: Store, e: Exposure): Promise<void> {
  await store
    .knex('mcp_exposures')
    .insert({ kind: e.kind, name: e.name, version: e.version ?? null, createdAt: new Date().toISOString() })
    .onConflict(['kind', 'name'])
    .merge(['version']);
}

export async function unexpose(store: Store, kind: ExposedKind, name: string): Promise<boolean> {
  return (await store.knex('mcp_exposures').where({ kind, name }).delete()) > 0;
}
