// Components and pipelines: validated before anything is stored; versions are immutable.
import { SpecError } from '../../core/errors.js';
import { planPipeline, type ResolvedComponent } from '../../core/pipeline-plan.js';
import { parseSignature } from '../../core/signature.js';
import { componentSpec, pipelineSpec, type ComponentSpec, type PipelineSpec } from '../../core/specs.js';
import { checkTemplateComponent } from '../../core/template.js';
import { lookupOf, pinsOf } from '../../core/versions.js';
import { NotFoundError } from '../../db/errors.js';
import { audit } from '../../db/repositories/audit.js';
import { getProvider } from '../../db/repositories/providers.js';
import { components, pipelines } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { followLabel } from './labels.js';

/** A component spec that can be stored: it parses, its signature parses, its provider exists. */
export async function checkComponent(ctx: AppContext, body: unknown): Promise<ComponentSpec> {
  const spec = componentSpec.parse(body);
  const problems = checkTemplateComponent(spec, parseSignature(spec.signature));
  if (problems.length) throw new SpecError('invalid component', problems);
  try {
    await getProvider(ctx.store, spec.provider);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new SpecError('invalid component', [{ path: 'provider', message: `unknown provider '${spec.provider}'` }]);
    throw err;
  }
  return spec;
}

export async function createComponent(ctx: AppContext, body: unknown) {
  const spec = await checkComponent(ctx, body);
  const created = await components.create(ctx.store, spec);
  await audit(ctx.store, { actor: 'api', action: 'component.create', subject: created.id });
  return created;
}

export async function addComponentVersion(ctx: AppContext, id: string, body: unknown) {
  const spec = await checkComponent(ctx, body);
  const updated = await components.addVersion(ctx.store, id, spec);
  await audit(ctx.store, {
    actor: 'api',
    action: 'component.version',
    subject: updated.id,
    details: { version: updated.latestVersion },
  });
  return updated;
}

/**
 * Look up every component a pipeline names: "name@3" is itself, "name@label" what the label names now, and a bare
 * "name" its pin in the pipeline version (`pins`), or the latest when there is none (while saving).
 */
export async function resolveComponents(
  ctx: AppContext,
  spec: PipelineSpec,
  pins?: Record<string, number> | null,
): Promise<Map<string, ResolvedComponent>> {
  const found = new Map<string, ResolvedComponent>();
  for (const step of spec.steps) {
    if (found.has(step.component)) continue;
    const lookup = lookupOf(step.component, pins);
    if (!lookup) continue;
    try {
      const v =
        lookup.via === 'label'
          ? await followLabel(ctx, 'component', lookup.name, lookup.label)
          : lookup.via === 'latest'
            ? undefined
            : lookup.version;
      const version = await components.getVersion(ctx.store, lookup.name, v);
      found.set(step.component, { ref: step.component, version: version.version, spec: version.spec });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  return found;
}

/** A pipeline spec checked against its components, and the pins its version keeps. */
async function checkPipeline(
  ctx: AppContext,
  body: unknown,
): Promise<{ spec: PipelineSpec; pins: Record<string, number> }> {
  const spec = pipelineSpec.parse(body);
  const resolved = await resolveComponents(ctx, spec);
  planPipeline(spec, (ref) => resolved.get(ref));
  return { spec, pins: pinsOf(resolved.values()) };
}

export async function createPipeline(ctx: AppContext, body: unknown) {
  const { spec, pins } = await checkPipeline(ctx, body);
  const created = await pipelines.create(ctx.store, spec, pins);
  await audit(ctx.store, { actor: 'api', action: 'pipeline.create', subject: created.id });
  return created;
}

export async function addPipelineVersion(ctx: AppContext, id: string, body: unknown) {
  const { spec, pins } = await checkPipeline(ctx, body);
  const updated = await pipelines.addVersion(ctx.store, id, spec, pins);
  await audit(ctx.store, {
    actor: 'api',
    action: 'pipeline.version',
    subject: updated.id,
    details: { version: updated.latestVersion },
  });
  return updated;
}
