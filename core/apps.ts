// App manifests: a view bound to a versioned pipeline, component or agent, with its inputs' schema,
// its permissions and where it came from. Stored like components: immutable versions, name@version.
import { z } from 'zod';
import { scaffoldSurface, validateSurface, type Problem, type TargetField, type TargetShape } from './a2ui.js';
import { typeSchema, type JsonSchema } from './json-schema.js';
import { moduleSignature } from './modules.js';
import { parseRef, type PipelinePlan } from './pipeline-plan.js';
import { kindRef } from './run-story/ids.js';
import { parseTypeExpr } from './signature.js';
import type { ComponentSpec, PipelineSpec } from './specs.js';
import { NAME } from './specs.js';
import type { FieldType } from './types.js';
import { LABEL } from './versions.js';

export const appTargetKinds = ['pipeline', 'component', 'agent'] as const;
/** `label`: runs follow it (read at each run's start); `version` is what it named when the app version was saved. */
export const appTarget = z.strictObject({
  kind: z.enum(appTargetKinds),
  name: NAME,
  version: z.int().positive(),
  label: LABEL.optional(),
});
export type AppTarget = z.infer<typeof appTarget>;

export const appView = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('declarative'), spec: z.unknown() }),
  // The escape hatch: an HTML document run in a sandboxed iframe on another origin (docs/apps.md).
  z.strictObject({ kind: z.literal('html'), html: z.string().min(1).max(200_000) }),
]);
export type AppView = z.infer<typeof appView>;

export const appPermissions = z.strictObject({
  startRuns: z.boolean().default(true),
  perMinute: z.int().min(1).max(600).default(10),
  maxConcurrent: z.int().min(1).max(32).default(2),
  budgetUsd: z.number().positive().optional(),
});
export type AppPermissions = z.infer<typeof appPermissions>;

export const appManifest = z.strictObject({
  name: NAME,
  description: z.string().max(2000).optional(),
  target: appTarget,
  inputs: z
    .strictObject({
      schema: z.record(z.string(), z.unknown()).optional(),
      ui: z
        .record(
          z.string(),
          z.strictObject({
            label: z.string().max(200).optional(),
            placeholder: z.string().max(500).optional(),
            widget: z.enum(['text', 'textarea', 'number', 'checkbox', 'select']).optional(),
          }),
        )
        .optional(),
      examples: z.array(z.record(z.string(), z.unknown())).max(20).optional(),
    })
    .default({}),
  /** When absent, the deterministic scaffold for the target is used. */
  view: appView.optional(),
  permissions: appPermissions.default({ startRuns: true, perMinute: 10, maxConcurrent: 2 }),
  provenance: z
    .strictObject({
      generationRunId: z.string().max(64),
      model: z.string().max(200),
      parentVersion: z.int().positive().optional(),
      prompt: z.string().max(4000).optional(),
      /** With no model (`model: 'scaffold'`): what the scaffold took from the prompt, one line each. */
      fromPrompt: z.array(z.string().max(400)).max(40).optional(),
    })
    .optional(),
});
/** A stored manifest: view and inputs' schema always filled in. */
export type AppManifest = z.infer<typeof appManifest> & { view: AppView; inputs: { schema: JsonSchema } };

const field = (name: string, t: FieldType): TargetField => ({
  name,
  kind: t.kind,
  ...(t.kind === 'literal' ? { values: t.values } : {}),
});

/** The fields a component (or agent) takes and gives. */
export function componentShape(spec: ComponentSpec): TargetShape & { types: Record<string, FieldType> } {
  const sig = moduleSignature(spec);
  return {
    inputs: sig.inputs.map((f) => field(f.name, f.type)),
    outputs: sig.outputs.map((f) => field(f.name, f.type)),
    types: Object.fromEntries(sig.inputs.map((f) => [f.name, f.type])),
  };
}

/** The fields a pipeline takes (its inputs) and gives (its outputs, typed by the planned steps' signatures). */
export function pipelineShape(
  spec: PipelineSpec,
  plan: PipelinePlan,
): TargetShape & { types: Record<string, FieldType> } {
  const types = Object.fromEntries(Object.entries(spec.inputs).map(([k, t]) => [k, parseTypeExpr(t)]));
  const outputType = (b: string): FieldType | undefined => {
    const ref = parseRef(b);
    if (ref?.kind !== 'step') return undefined;
    const step = plan.steps.find((s) => s.id === ref.step);
    const f = step && moduleSignature(step.component.spec).outputs.find((o) => o.name === ref.field);
    return f ? (step!.foreach ? { kind: 'list', of: f.type } : f.type) : undefined;
  };
  return {
    inputs: Object.entries(types).map(([k, t]) => field(k, t)),
    outputs: Object.entries(spec.outputs).map(([k, b]) => field(k, outputType(b) ?? { kind: 'json' })),
    types,
  };
}

/** The JSON Schema of a target's inputs: what the form fills and what a run is checked against. */
export function inputsSchema(types: Record<string, FieldType>): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(types).map(([k, t]) => [k, typeSchema(t)])),
    required: Object.keys(types),
    additionalProperties: false,
  };
}

/**
 * A manifest completed and checked against its target: the view defaults to the scaffold, the
 * inputs' schema is derived from the target; every problem is named with its path.
 */
export function completeManifest(
  input: z.infer<typeof appManifest>,
  shape: TargetShape & { types: Record<string, FieldType> },
): { manifest: AppManifest; problems: Problem[] } {
  const view: AppView = input.view ?? {
    kind: 'declarative',
    spec: scaffoldSurface(shape, input.description ?? input.name, input.inputs.ui),
  };
  const derived = inputsSchema(shape.types);
  const problems: Problem[] = [];
  if (view.kind === 'declarative')
    problems.push(
      ...validateSurface(view.spec, shape).map((p) => ({
        path: `view.spec${p.path.replace(/\//g, '.')}`,
        message: p.message,
      })),
    );
  // A schema given by hand may narrow the target's, never add fields it does not take.
  const given = input.inputs.schema as { properties?: Record<string, unknown> } | undefined;
  for (const k of Object.keys(given?.properties ?? {}))
    if (!(k in shape.types))
      problems.push({ path: `inputs.schema.properties.${k}`, message: `the target takes no input '${k}'` });
  for (const k of Object.keys(input.inputs.ui ?? {}))
    if (!(k in shape.types)) problems.push({ path: `inputs.ui.${k}`, message: `the target takes no input '${k}'` });
  const manifest = {
    ...input,
    view,
    inputs: { ...input.inputs, schema: (input.inputs.schema as JsonSchema | undefined) ?? derived },
  } as AppManifest;
  return { manifest, problems };
}

/** The tag a run started from an app carries. */
export const appOrigin = (name: string, version: number) => kindRef('app', name, version);
