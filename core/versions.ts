// Versions that stay put: labels, what a saved pipeline pins, and the record of the exact versions a run used
// (ADR 0017). The grammar of a reference (`qa`, `qa@3`, `qa@production`) is the id grammar's (run-story/ids.ts).
import { z } from 'zod';
import { kindRef, parseVersionRef, refName, versionRef } from './run-story/ids.js';

export {
  kindRef,
  parseVersionRef,
  refName,
  splitRef,
  VERSION_REF,
  versionRef,
  type VersionRef,
} from './run-story/ids.js';

/** A label: lowercase letters, digits, _ or -, not all digits (digits are a version number). */
export const LABEL = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a label is lowercase letters, digits, _ or - (max 64)')
  .refine((s) => !/^\d+$/.test(s), 'a label cannot be all digits (that is a version number)');

export const labelKinds = ['component', 'pipeline', 'app'] as const;
export type LabelKind = (typeof labelKinds)[number];

/** Where a promote came from, recorded with the move. */
export const promoteVia = ['dashboard', 'cli', 'api'] as const;
export const promoteBody = z.strictObject({ version: z.int().positive(), via: z.enum(promoteVia).default('api') });

/** What resolving a reference needs: a fixed version, a label read now, or the latest (only when saving). */
export type Lookup =
  | { name: string; version: number; via: 'exact' | 'pin' }
  | { name: string; label: string; via: 'label' }
  | { name: string; via: 'latest' };

/**
 * How a step's reference resolves, given the pins its pipeline version was saved with: a number is itself, a
 * label is followed (read at run start), and a bare name is its pin (or, while saving, the latest).
 */
export function lookupOf(ref: string, pins?: Record<string, number> | null): Lookup | undefined {
  const r = parseVersionRef(ref);
  if (!r) return undefined;
  if (r.version !== undefined) return { name: r.name, version: r.version, via: 'exact' };
  if (r.label !== undefined) return { name: r.name, label: r.label, via: 'label' };
  const pinned = pins?.[ref];
  return pinned !== undefined ? { name: r.name, version: pinned, via: 'pin' } : { name: r.name, via: 'latest' };
}

/** The pins a pipeline version keeps: each bare name and the version it resolved to when saved (labels and numbers pin nothing). */
export function pinsOf(resolved: Iterable<{ ref: string; version: number }>): Record<string, number> {
  const pins: Record<string, number> = {};
  for (const c of resolved) if (parseVersionRef(c.ref)?.name === c.ref) pins[c.ref] = c.version;
  return pins;
}

/** A label read at run start and the version it named then. */
export interface LabelResolution {
  kind: LabelKind;
  name: string;
  label: string;
  version: number;
}

/** The exact versions a run used, recorded when it starts. */
export interface RunVersions {
  /** What the run is of: `pipeline:qa-chain@1`, `component:qa@2`. */
  target: string;
  /** The app it was started from (`app:qa-app@1`), when it was. */
  app?: string;
  /** Each step's component version as it ran (`{ answer: 'qa@2' }`). */
  steps: Record<string, string>;
  /** Every label followed, and the version it named at run start. */
  labels: LabelResolution[];
}

/** The record of a planned run (a pipeline, or a component as a one-step plan). */
export function runVersions(
  target: { type: string; name: string; version: number },
  steps: Array<{ id: string; component: { ref: string; version: number } }>,
  extra: { origin?: string | undefined; labels?: LabelResolution[] | undefined } = {},
): RunVersions {
  const labels = [...(extra.labels ?? [])];
  const record: Record<string, string> = {};
  for (const s of steps) {
    const r = parseVersionRef(s.component.ref);
    const name = refName(s.component.ref);
    record[s.id] = versionRef(name, s.component.version);
    if (r?.label && !labels.some((l) => l.kind === 'component' && l.name === name && l.label === r.label))
      labels.push({ kind: 'component', name, label: r.label, version: s.component.version });
  }
  return {
    target: kindRef(target.type, target.name, target.version),
    ...(extra.origin?.startsWith('app:') ? { app: extra.origin } : {}),
    steps: record,
    labels,
  };
}
