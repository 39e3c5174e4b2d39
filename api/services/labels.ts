// Labels on component, pipeline and app versions: moved only by a promote, each move recorded; followed at run start.
import { SpecError } from '../../core/errors.js';
import { versionRef } from '../../core/run-story/ids.js';
import { LABEL, promoteBody, type LabelKind } from '../../core/versions.js';
import { audit } from '../../db/repositories/audit.js';
import type { RunRow } from '../../db/models/run.js';
import { getRunVersions, labelMoves, labelsOf, labelVersion, moveLabel } from '../../db/repositories/labels.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { versionedRepos as repos, type Head } from './versioned.js';

/** An object's labels now and every move, newest first. */
export async function listLabels(ctx: AppContext, kind: LabelKind, head: Head) {
  return { labels: await labelsOf(ctx.store, kind, head.id), moves: await labelMoves(ctx.store, kind, head.id) };
}

/**
 * Point a label at a version of the object; `via` says where the promote came from.
 * @example await promote(ctx, 'component', 'qa', 'production', { version: 3, via: 'cli' })
 */
export async function promote(ctx: AppContext, kind: LabelKind, loaded: Head, label: string, body: unknown) {
  const req = promoteBody.parse(body);
  const name = LABEL.safeParse(label);
  if (!name.success)
    throw new SpecError(
      'invalid label',
      name.error.issues.map((i) => ({ path: 'label', message: i.message })),
    );
  const head = await repos[kind].get(ctx.store, loaded.id);
  if (!head.versions.some((v) => v.version === req.version))
    throw new SpecError(
      `${kind} '${head.name}' has no version ${req.version} (its versions are 1 to ${head.latestVersion})`,
    );
  const { from, moved } = await moveLabel(ctx.store, {
    kind,
    parentId: head.id,
    label,
    version: req.version,
    via: req.via,
  });
  if (moved)
    await audit(ctx.store, {
      actor: req.via,
      action: `${kind}.promote`,
      subject: head.id,
      details: { label, from, to: req.version },
    });
  return { name: head.name, label, from, to: req.version, moved, ...(await listLabels(ctx, kind, head)) };
}

/** The version a label names now; a 400 naming the label when no version carries it. */
export async function followLabel(ctx: AppContext, kind: LabelKind, name: string, label: string): Promise<number> {
  // An unknown object is a NotFoundError, for the caller to name as it names any unknown reference.
  // Only the head's id: this runs at every run start that follows a label, and get() would load every version.
  const version = await labelVersion(ctx.store, kind, (await repos[kind].head(ctx.store, name)).id, label);
  if (version === undefined)
    throw new SpecError(`cannot follow ${kind} label '${versionRef(name, label)}'`, [
      { path: 'label', message: `no version of '${name}' is labelled '${label}': promote one first` },
    ]);
  return version;
}

/** The exact versions a run used: each step's component version, its target's, and every label read at its start. */
export async function recordedVersions(ctx: AppContext, run: RunRow) {
  const versions = await getRunVersions(ctx.store, run.id);
  if (!versions)
    throw new AppError(
      404,
      'not_found',
      `run '${run.id}' recorded no versions (a ${run.kind} run, or one started before versions were recorded)`,
    );
  return versions;
}
