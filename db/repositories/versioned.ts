// Named specs with immutable numbered versions (components and pipelines share this).
import type { Knex } from 'knex';
import type { AppManifest } from '../../core/apps.js';
import { versionRef } from '../../core/run-story/ids.js';
import type { ComponentSpec, PipelineSpec } from '../../core/specs.js';
import { newId } from '../../core/ids.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Store } from '../knex.js';
import {
  AppRow,
  AppVersionRow,
  ComponentRow,
  ComponentVersionRow,
  PipelineRow,
  PipelineVersionRow,
  type HeadModel,
  type VersionModel,
} from '../models/versioned.js';

/** The largest version number an integer column holds. */
const MAX_VERSION = 2_147_483_647;

export interface VersionInfo<S> {
  version: number;
  spec: S;
  createdAt: string;
  /** A pipeline version's pins: each bare component name and the version it resolved to when saved. */
  pins?: Record<string, number>;
  /** A component version an optimizer saved: its run, dataset, metric and scores before and after. */
  provenance?: Record<string, unknown>;
}

/** What a version row carries beside its spec: a pipeline's pins, an optimized component's provenance. */
type VersionExtras = Pick<VersionInfo<unknown>, 'pins' | 'provenance'>;

export interface Versioned<S> {
  id: string;
  name: string;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
  latest: VersionInfo<S>;
  versions: Array<{ version: number; createdAt: string }>;
}

/** A version's pins and provenance beside its spec, those it has, as a row is written and read. */
const withExtras = (row: { pins?: Record<string, number> | null; provenance?: Record<string, unknown> | null }) => ({
  ...(row.pins ? { pins: row.pins } : {}),
  ...(row.provenance ? { provenance: row.provenance } : {}),
});

/** One kind's heads (a name, its latest version number) and their numbered, immutable versions. */
class VersionedRepository<S extends { name: string }> {
  private readonly idPrefix: string;

  constructor(
    private readonly what: 'component' | 'pipeline' | 'app',
    private readonly Head: HeadModel,
    private readonly Version: VersionModel,
  ) {
    this.idPrefix = { component: 'cmp', pipeline: 'pip', app: 'app' }[what];
  }

  private async findHead(db: Knex, idOrName: string) {
    const head = await this.Head.query(db).where('id', idOrName).orWhere('name', idOrName).first();
    if (!head) throw new NotFoundError(this.what, idOrName);
    return head;
  }

  private async insertVersion(
    store: Store,
    idOrName: string,
    spec: S,
    idempotencyKey?: string,
    extras: VersionExtras = {},
  ): Promise<{ headId: string; version: number }> {
    return store.knex.transaction(async (trx) => {
      const head = await this.findHead(trx, idOrName);
      if (spec.name !== head.name)
        throw new ConflictError(`a version of '${head.name}' must keep its name (got '${spec.name}')`);
      const version = head.latestVersion + 1;
      const at = new Date().toISOString();
      await this.Version.query(trx).insert({
        id: newId(`${this.idPrefix}v`),
        parentId: head.id,
        version,
        spec,
        createdAt: at,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        ...withExtras(extras),
      });
      await this.Head.query(trx).findById(head.id).patch({ latestVersion: version, updatedAt: at });
      return { headId: head.id, version };
    });
  }

  private async createHead(store: Store, spec: S, idempotencyKey?: string, extras: VersionExtras = {}): Promise<void> {
    await store.knex.transaction(async (trx) => {
      if (await this.Head.query(trx).where('name', spec.name).first())
        throw new ConflictError(`${this.what} '${spec.name}' already exists; add a version instead`);
      const at = new Date().toISOString();
      const id = newId(this.idPrefix);
      await this.Head.query(trx).insert({ id, name: spec.name, latestVersion: 1, createdAt: at, updatedAt: at });
      await this.Version.query(trx).insert({
        id: newId(`${this.idPrefix}v`),
        parentId: id,
        version: 1,
        spec,
        createdAt: at,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        ...withExtras(extras),
      });
    });
  }

  async create(store: Store, spec: S, pins?: Record<string, number>): Promise<Versioned<S>> {
    await this.createHead(store, spec, undefined, { pins });
    return this.get(store, spec.name);
  }

  async addVersion(store: Store, idOrName: string, spec: S, pins?: Record<string, number>): Promise<Versioned<S>> {
    const { headId } = await this.insertVersion(store, idOrName, spec, undefined, { pins });
    return this.get(store, headId);
  }

  /**
   * Add a version once per key (creating the head for a new name): a retried save answers the version it made before.
   * `provenance`: where it came from (component versions only).
   */
  async addVersionOnce(
    store: Store,
    idOrName: string,
    spec: S,
    idempotencyKey: string,
    provenance?: Record<string, unknown>,
  ): Promise<number> {
    const earlier = await this.Version.query(store.knex).where('idempotencyKey', idempotencyKey).first();
    if (earlier) return earlier.version;
    try {
      if (!(await this.Head.query(store.knex).where('id', idOrName).orWhere('name', idOrName).first())) {
        await this.createHead(store, spec, idempotencyKey, { provenance });
        return 1;
      }
      return (await this.insertVersion(store, idOrName, spec, idempotencyKey, { provenance })).version;
    } catch (err) {
      // Two attempts raced: the unique key let one in; answer its version.
      const winner = await this.Version.query(store.knex).where('idempotencyKey', idempotencyKey).first();
      if (winner) return winner.version;
      throw err;
    }
  }

  /** The head alone (id, name, latest version number), without loading its versions. */
  async head(store: Store, idOrName: string): Promise<{ id: string; name: string; latestVersion: number }> {
    return this.findHead(store.knex, idOrName);
  }

  async get(store: Store, idOrName: string): Promise<Versioned<S>> {
    const head = await this.findHead(store.knex, idOrName);
    const versions = await this.Version.query(store.knex).where('parentId', head.id).orderBy('version');
    const latest = versions[versions.length - 1]!;
    return {
      id: head.id,
      name: head.name,
      latestVersion: head.latestVersion,
      createdAt: head.createdAt,
      updatedAt: head.updatedAt,
      latest: {
        version: latest.version,
        spec: latest.spec as unknown as S,
        createdAt: latest.createdAt,
        ...withExtras(latest),
      },
      versions: versions.map((v) => ({ version: v.version, createdAt: v.createdAt })),
    };
  }

  /** A version by "name", "name@3" or id; the latest when no version is named. */
  async getVersion(
    store: Store,
    idOrName: string,
    version?: number,
  ): Promise<{ id: string; name: string } & VersionInfo<S>> {
    const head = await this.findHead(store.knex, idOrName);
    const v = version ?? head.latestVersion;
    // Past the column's 32-bit range no version exists (PostgreSQL would refuse the query itself).
    if (!Number.isSafeInteger(v) || v < 1 || v > MAX_VERSION)
      throw new NotFoundError(`${this.what} version`, versionRef(head.name, v));
    const row = await this.Version.query(store.knex).where('parentId', head.id).where('version', v).first();
    if (!row) throw new NotFoundError(`${this.what} version`, versionRef(head.name, v));
    return {
      id: head.id,
      name: head.name,
      version: row.version,
      spec: row.spec as unknown as S,
      createdAt: row.createdAt,
      ...withExtras(row),
    };
  }

  async list(store: Store): Promise<Array<{ id: string; name: string; latestVersion: number; updatedAt: string }>> {
    return this.Head.query(store.knex).orderBy('name').select('id', 'name', 'latestVersion', 'updatedAt');
  }
}

export const components = new VersionedRepository<ComponentSpec>('component', ComponentRow, ComponentVersionRow);
export const pipelines = new VersionedRepository<PipelineSpec>('pipeline', PipelineRow, PipelineVersionRow);
export const apps = new VersionedRepository<AppManifest>('app', AppRow, AppVersionRow);
