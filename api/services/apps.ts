// Apps: manifests checked against their real target, runs started under the manifest's permissions
// and tagged with where they came from, the bridge's state, and generation runs.
import { z } from 'zod';
import { a2uiSurface, scaffoldSurface, type A2uiSurface } from '../../core/a2ui.js';
import { describeView } from '../../core/app-description.js';
import {
  appManifest,
  appOrigin,
  appTarget,
  appTargetKinds,
  completeManifest,
  componentShape,
  pipelineShape,
  type AppManifest,
  type AppTarget,
} from '../../core/apps.js';
import { SpecError } from '../../core/errors.js';
import { checkRunInputs, componentPlan, planPipeline } from '../../core/pipeline-plan.js';
import { kindRef, versionRef } from '../../core/run-story/ids.js';
import { typeToString } from '../../core/types.js';
import { NAME, runRequest, type PipelineSpec } from '../../core/specs.js';
import { NotFoundError } from '../../db/errors.js';
import { getProvider } from '../../db/repositories/providers.js';
import { listRuns } from '../../db/repositories/runs.js';
import { apps, components, pipelines } from '../../db/repositories/versioned.js';
import { appGenerateWorkflow } from '../../workflows/app-generate.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { runViews } from './run-view.js';
import { followRunLabel, startComponentRun, startPipelineRun } from './runs.js';
import { followLabel } from './labels.js';
import { resolveComponents } from './specs.js';
import { startRun } from './start.js';
import type { Head } from './versioned.js';

/** The target's fields, or a 400 naming a target that does not exist. */
export async function targetShape(ctx: AppContext, target: z.infer<typeof appTarget>) {
  try {
    if (target.kind === 'pipeline') {
      const v = await pipelines.getVersion(ctx.store, target.name, target.version);
      const spec = v.spec as PipelineSpec;
      const resolved = await resolveComponents(ctx, spec, v.pins);
      return pipelineShape(
        spec,
        planPipeline(spec, (r) => resolved.get(r)),
      );
    }
    const v = await components.getVersion(ctx.store, target.name, target.version);
    if ((v.spec.kind === 'react') !== (target.kind === 'agent'))
      throw new SpecError('invalid app', [
        {
          path: 'target.kind',
          message: `'${target.name}' is ${v.spec.kind === 'react' ? 'an agent' : 'a component, not an agent'}`,
        },
      ]);
    componentPlan(v.name, v.version, v.spec);
    return componentShape(v.spec);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new SpecError('invalid app', [
        { path: 'target', message: `${target.kind} '${versionRef(target.name, target.version)}' does not exist` },
      ]);
    throw err;
  }
}

/** The label a target follows, as the label's kind (an agent is a component). */
const labelKind = (kind: AppTarget['kind']) =>
  (kind === 'pipeline' ? 'pipeline' : 'component') as 'pipeline' | 'component';

/** A target that follows a label and names no version gets the version the label names now (what the app is checked against). */
async function withLabelVersion(ctx: AppContext, body: unknown): Promise<unknown> {
  const t = (body as { target?: Partial<AppTarget> } | null)?.target;
  if (
    !t ||
    t.version !== undefined ||
    typeof t.label !== 'string' ||
    typeof t.name !== 'string' ||
    !t.kind ||
    !appTargetKinds.includes(t.kind)
  )
    return body;
  try {
    return {
      ...(body as object),
      target: { ...t, version: await followLabel(ctx, labelKind(t.kind), t.name, t.label) },
    };
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new SpecError('invalid app', [{ path: 'target', message: `${t.kind} '${t.name}' does not exist` }]);
    throw err;
  }
}

/** Parse, complete and check a manifest; any problem is a 400 and nothing is stored. */
async function checkedManifest(ctx: AppContext, body: unknown): Promise<AppManifest> {
  const input = appManifest.parse(await withLabelVersion(ctx, body));
  const { manifest, problems } = completeManifest(input, await targetShape(ctx, input.target));
  if (problems.length) throw new SpecError('invalid app', problems);
  return manifest;
}

export async function createApp(ctx: AppContext, body: unknown) {
  return apps.create(ctx.store, await checkedManifest(ctx, body));
}

export function listApps(ctx: AppContext) {
  return apps.list(ctx.store);
}

export async function addAppVersion(ctx: AppContext, head: Head, body: unknown) {
  return apps.addVersion(ctx.store, head.id, await checkedManifest(ctx, body));
}

/** An app with its latest manifest, and where its HTML view is served (another origin). */
export async function appView(ctx: AppContext, head: Head, requestHost: string) {
  const app = await apps.get(ctx.store, head.id);
  return { ...app, viewOrigin: viewOrigin(ctx, requestHost) };
}

export function viewOrigin(ctx: AppContext, requestHost: string): string | null {
  return ctx.appViewsPort ? `http://${requestHost.replace(/:\d+$/, '')}:${ctx.appViewsPort}` : null;
}

export async function appVersion(ctx: AppContext, head: Head, version: number) {
  return apps.getVersion(ctx.store, head.id, version);
}

// One check-and-start at a time per app, so two requests cannot both slip under a limit.
const gates = new Map<string, Promise<unknown>>();
function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (gates.get(key) ?? Promise.resolve()).then(fn, fn);
  gates.set(
    key,
    run.catch(() => undefined),
  );
  return run;
}

/** Start a run of the app's bound target (never another), inputs checked, under its permissions. */
export async function startAppRun(ctx: AppContext, app: Head, body: unknown) {
  const req = runRequest.parse(body);
  const own = await followRunLabel(ctx, 'app', app.name, req.label);
  const v = await apps.getVersion(ctx.store, app.id, own.version ?? req.version);
  const m = v.spec;
  // A target that follows a label runs the version the label names now, recorded on the run.
  const followed = await followRunLabel(ctx, labelKind(m.target.kind), m.target.name, m.target.label, own.labels);
  const target = { ...m.target, version: followed.version ?? m.target.version };
  const labels = followed.labels;
  // Bad input is a 400 whatever the limits say.
  const shape = await targetShape(ctx, target);
  checkRunInputs(Object.fromEntries(Object.entries(shape.types).map(([k, t]) => [k, typeToString(t)])), req.inputs);
  return serialized(app.id, async () => {
    if (!m.permissions.startRuns)
      throw new AppError(403, 'runs_not_permitted', `app '${versionRef(app.name, v.version)}' may not start runs`);
    const all = (await listRuns(ctx.store, { origin: `app:${app.name}@`, limit: 10_000 })).runs;
    const lastMinute = all.filter((r) => Date.now() - Date.parse(r.createdAt) < 60_000).length;
    if (lastMinute >= m.permissions.perMinute)
      throw new AppError(
        429,
        'rate_limited',
        `app '${app.name}' may start ${m.permissions.perMinute} runs a minute; try again shortly`,
      );
    const active = all.filter((r) => ['queued', 'running', 'waiting_approval'].includes(r.status)).length;
    if (active >= m.permissions.maxConcurrent)
      throw new AppError(
        429,
        'too_many_runs',
        `app '${app.name}' may have ${m.permissions.maxConcurrent} runs at once; ${active} are running`,
      );
    const spent = all.reduce((s, r) => s + Number(r.costUsd), 0);
    if (m.permissions.budgetUsd !== undefined && spent >= m.permissions.budgetUsd)
      throw new AppError(
        403,
        'budget_exhausted',
        `app '${app.name}' has spent $${spent.toFixed(4)} of its $${m.permissions.budgetUsd} budget`,
      );
    const origin = appOrigin(app.name, v.version);
    const run = { inputs: req.inputs, version: target.version };
    return m.target.kind === 'pipeline'
      ? startPipelineRun(ctx, m.target.name, run, origin, labels)
      : startComponentRun(ctx, m.target.name, run, origin, labels);
  });
}

export async function appRuns(ctx: AppContext, app: Head) {
  return runViews(ctx, { origin: `app:${app.name}@`, limit: 100 });
}

const stateBody = z
  .record(z.string(), z.unknown())
  .refine((s) => JSON.stringify(s).length <= 64 * 1024, 'an app keeps at most 64 KB of state');

export async function getAppState(ctx: AppContext, app: Head): Promise<Record<string, unknown>> {
  const row = await ctx.store.knex('app_state').where('appId', app.id).first('state');
  return row ? JSON.parse(row.state) : {};
}

export async function putAppState(ctx: AppContext, app: Head, body: unknown): Promise<Record<string, unknown>> {
  const state = stateBody.parse(body);
  await ctx.store
    .knex('app_state')
    .insert({ appId: app.id, state: JSON.stringify(state), updatedAt: new Date().toISOString() })
    .onConflict('appId')
    .merge();
  return state;
}

const generateBody = z.strictObject({
  target: appTarget,
  prompt: z.string().min(1).max(4000),
  name: NAME.optional(),
  provider: NAME.default('default'),
  model: z.string().min(1).optional(),
  maxRepairs: z.int().min(0).max(5).default(2),
});

/** The view schema the model's JSON answer is constrained to. */
const viewSchema = z.toJSONSchema(a2uiSurface) as Record<string, unknown>;

type GenerationOptions = { prompt: string; provider: string; model?: string | undefined; maxRepairs: number };
type TargetShape = Awaited<ReturnType<typeof targetShape>>;

async function startGeneration(
  ctx: AppContext,
  base: AppManifest,
  baseVersion: number | undefined,
  o: GenerationOptions,
) {
  const shape = await targetShape(ctx, base.target);
  const capableModel = (await providerType(ctx, o.provider)) !== 'local';
  // The embedded model does not design views: the scaffold takes what it can read from the prompt, and says what.
  let fromPrompt: string[] | undefined;
  if (!capableModel) ({ base, fromPrompt } = scaffoldFromPrompt(base, shape, baseVersion, o));
  const examples = await recentOutputs(ctx, base.target);
  return startRun(ctx, {
    kind: 'generate',
    target: { type: 'app', id: base.name, name: base.name, version: baseVersion ?? 0 },
    inputs: { prompt: o.prompt, target: base.target },
    workflow: appGenerateWorkflow,
    input: (runId) => ({
      runId,
      base,
      baseVersion,
      shape,
      prompt: o.prompt,
      provider: o.provider,
      model: o.model,
      capableModel,
      ...(fromPrompt ? { fromPrompt } : {}),
      examples,
      maxRepairs: o.maxRepairs,
      viewSchema,
    }),
    providers: [o.provider],
  });
}

/** The named provider's type; a missing provider is the request's fault. */
async function providerType(ctx: AppContext, provider: string): Promise<string> {
  try {
    return (await getProvider(ctx.store, provider)).type;
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new SpecError('cannot generate', [{ path: 'provider', message: `provider '${provider}' does not exist` }]);
    throw err;
  }
}

/** For the embedded model: the view the scaffold reads from the prompt, and what it used; a refinement must use something. */
function scaffoldFromPrompt(
  base: AppManifest,
  shape: TargetShape,
  baseVersion: number | undefined,
  o: GenerationOptions,
): { base: AppManifest; fromPrompt: string[] } {
  const described =
    base.view.kind === 'declarative'
      ? describeView(base.view.spec as A2uiSurface, shape, o.prompt, { fresh: baseVersion === undefined })
      : undefined;
  if (baseVersion !== undefined && !described?.used.length) {
    throw new AppError(
      400,
      'view_unchanged',
      `could not change the view: provider '${o.provider}' is the embedded model, which does not design views, and nothing in the description is something the scaffold can apply (a quoted title, which outputs to show or hide and in what order, labels in quotes); no version was saved. Refine with a provider that has a capable model (OpenAI, Anthropic, Ollama).`,
    );
  }
  if (described) base = { ...base, view: { kind: 'declarative', spec: described.surface } };
  return { base, fromPrompt: described?.used ?? [] };
}

/** Outputs of the target's three latest completed runs: examples for the model. */
async function recentOutputs(ctx: AppContext, target: AppTarget) {
  const targetRef = kindRef(target.kind === 'pipeline' ? 'pipeline' : 'component', target.name, target.version);
  const recent = (await listRuns(ctx.store, { status: 'completed', limit: 50 })).runs
    .filter((r) => kindRef(r.target.type, r.target.name, r.target.version) === targetRef)
    .slice(0, 3);
  return recent.map((r) => r.outputs ?? {});
}

/** Generate a new app (its first version) or, when the name exists, its next version. */
export async function generateApp(ctx: AppContext, body: unknown) {
  const req = generateBody.parse(body);
  const name = req.name ?? `${req.target.name}-app`;
  const shape = await targetShape(ctx, req.target);
  const base = appManifest.parse({
    name,
    description: req.prompt.slice(0, 200),
    target: req.target,
    view: { kind: 'declarative', spec: scaffoldSurface(shape, name) },
  }) as AppManifest;
  const { manifest } = completeManifest(base, shape);
  return startGeneration(ctx, manifest, undefined, req);
}

/** Refine an app version with an instruction: the result is its next version. */
export async function refineApp(ctx: AppContext, head: Head, body: unknown) {
  const req = z
    .strictObject({
      prompt: z.string().min(1).max(4000),
      version: z.int().positive().optional(),
      provider: NAME.default('default'),
      model: z.string().min(1).optional(),
      maxRepairs: z.int().min(0).max(5).default(2),
    })
    .parse(body);
  const v = await apps.getVersion(ctx.store, head.id, req.version);
  return startGeneration(ctx, v.spec, v.version, req);
}
