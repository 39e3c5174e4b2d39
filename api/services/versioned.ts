// Components, pipelines and apps by id or name: the head a path names (loaded once per request), its versions, the list.
import type { LabelKind } from '../../core/versions.js';
import { apps, components, pipelines } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';

/** The versioned kinds (the kinds a label is put on), each with its repository. */
export const versionedRepos = { component: components, pipeline: pipelines, app: apps } as const;

/** An object's head: what names it, and its latest version's number (its versions are not loaded). */
export interface Head {
  id: string;
  name: string;
  latestVersion: number;
}

/** The head a path names, by id or name (a 404 naming the kind when there is none). */
export async function loadHead(ctx: AppContext, kind: LabelKind, idOrName: string): Promise<Head> {
  const { id, name, latestVersion } = await versionedRepos[kind].head(ctx.store, idOrName);
  return { id, name, latestVersion };
}

/** The object with its latest version and the list of every version. */
export function headView<K extends LabelKind>(ctx: AppContext, kind: K, head: Head) {
  return versionedRepos[kind].get(ctx.store, head.id) as ReturnType<(typeof versionedRepos)[K]['get']>;
}

/** One version of the object (a 404 naming `name@version` when there is none). */
export function versionOf<K extends LabelKind>(ctx: AppContext, kind: K, head: Head, version: number) {
  return versionedRepos[kind].getVersion(ctx.store, head.id, version) as ReturnType<
    (typeof versionedRepos)[K]['getVersion']
  >;
}

export function listVersioned(ctx: AppContext, kind: LabelKind) {
  return versionedRepos[kind].list(ctx.store);
}
