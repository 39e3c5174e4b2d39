// Components and pipelines share one shape: a named head row plus immutable numbered versions.
import { Model } from 'objection';

class HeadRow extends Model {
  id!: string;
  name!: string;
  latestVersion!: number;
  createdAt!: string;
  updatedAt!: string;
}

class VersionRow extends Model {
  static override jsonAttributes = ['spec'];
  id!: string;
  parentId!: string;
  version!: number;
  spec!: Record<string, unknown>;
  idempotencyKey?: string | null;
  createdAt!: string;
  /** Only pipeline versions have pins (migration 013). */
  pins?: Record<string, number> | null;
  /** Only component versions have a provenance (migration 026): an optimizer's that saved it. */
  provenance?: Record<string, unknown> | null;
}

export class ComponentRow extends HeadRow {
  static override tableName = 'components';
}
export class ComponentVersionRow extends VersionRow {
  static override tableName = 'component_versions';
  static override jsonAttributes = ['spec', 'provenance'];
}
export class PipelineRow extends HeadRow {
  static override tableName = 'pipelines';
}
export class PipelineVersionRow extends VersionRow {
  static override tableName = 'pipeline_versions';
  static override jsonAttributes = ['spec', 'pins'];
}
export class AppRow extends HeadRow {
  static override tableName = 'apps';
}
export class AppVersionRow extends VersionRow {
  static override tableName = 'app_versions';
}
export type HeadModel = typeof ComponentRow;
export type VersionModel = typeof ComponentVersionRow;
