// Plan a fork of a pipeline run: which steps reuse the source's recorded outputs, which take a
// counterfactual, and which run again. Pure: the service hands in the source's plan and records.
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { SpecError, type Problem } from './errors.js';
import {
  parseRef,
  planPipeline,
  type PipelinePlan,
  type PlannedStep,
  type ResolvedComponent,
} from './pipeline-plan.js';
import { parseId, PINNED_REF } from './run-story/ids.js';
import { parseSignature } from './signature.js';
import { componentSpec, NAME, type ComponentSpec, type PipelineSpec } from './specs.js';
import { typeToString, valueMatches } from './types.js';

const componentRef = z.string().regex(PINNED_REF, 'a component override is "name@version"');

export const stepOverride = z.strictObject({
  component: componentRef.optional(),
  provider: NAME.optional(),
  model: z.string().min(1).optional(),
  params: componentSpec.shape.params,
  /** A counterfactual: the step answers this instead of running; everything that depends on it runs. */
  outputs: z.record(z.string(), z.unknown()).optional(),
});
export type StepOverride = z.infer<typeof stepOverride>;

export const forkRequest = z.strictObject({
  /** A step id, `id[i]` for one item of a foreach step, or `turn[N]` (or N) for an agent. */
  fromStep: z.union([z.string().min(1), z.int().min(0)]).transform(String),
  overrides: z
    .strictObject({
      inputs: z.record(z.string(), z.unknown()).optional(),
      steps: z.record(z.string(), stepOverride).optional(),
      /** An agent's changes from the fork's turn on. */
      agent: stepOverride.omit({ outputs: true }).optional(),
    })
    .default({}),
  cache: z.enum(['reuse', 'off']).optional(),
});
export type ForkRequest = z.infer<typeof forkRequest>;

/** What a run was asked to do, stored at its start: a fork replans from it, a diff compares it. */
export type RunDefinition =
  { kind: 'plan'; plan: PipelinePlan } | { kind: 'agent'; ref: string; component: ComponentSpec };

/** A run in a fork tree (GET /api/runs/:id/forks): the step it was forked at, and its own forks. */
export interface ForkNode {
  id: string;
  step: string | null;
  status: string;
  createdAt: string;
  children: ForkNode[];
}

/** What the source run recorded for one step (its step.completed event). */
export interface RecordedStep {
  outputs: Record<string, unknown> | Array<Record<string, unknown>> | null;
  skipped?: boolean;
}

export interface ItemReuse {
  outputs: Record<string, unknown>;
  counterfactual?: true;
}

/** How a forked run gets a step without calling anything; `items` for a foreach step (null: run that item). */
export type StepReuse = { source: { runId: string; stepId: string } } & (
  | { outputs: Record<string, unknown> | null; skipped?: true; counterfactual?: true }
  | { items: Array<ItemReuse | null> }
);

export interface ForkPlan {
  plan: PipelinePlan;
  inputs: Record<string, unknown>;
  reuse: Record<string, StepReuse>;
  /** Step ids that run (wholly or for some items), in plan order. */
  runs: string[];
}

/** "join" -> {id: join}; "len[2]" -> {id: len, item: 2}. */
export function parseStepRef(ref: string): { id: string; item?: number } {
  const id = parseId(ref);
  if (!id)
    throw new SpecError('invalid fork', [{ path: 'fromStep', message: `'${ref}' is not a step id or step[item]` }]);
  return id.index === undefined ? { id: id.base } : { id: id.base, item: id.index };
}

/** The run inputs a step reads through its bindings, foreach and when. */
function inputsRead(step: PlannedStep): string[] {
  const refs = [...Object.values(step.inputs), step.foreach, step.when].map(parseRef);
  return refs.flatMap((r) => (r?.kind === 'input' ? [r.field] : []));
}

function checkOutputs(step: PlannedStep, outputs: Record<string, unknown>, path: string, problems: Problem[]): void {
  const sig = parseSignature(step.component.spec.signature);
  for (const f of sig.outputs) {
    if (!(f.name in outputs))
      problems.push({ path: `${path}.${f.name}`, message: `missing output '${f.name}' (${typeToString(f.type)})` });
    else if (!valueMatches(outputs[f.name], f.type))
      problems.push({
        path: `${path}.${f.name}`,
        message: `expected ${typeToString(f.type)}, got ${JSON.stringify(outputs[f.name])}`,
      });
  }
  for (const k of Object.keys(outputs)) {
    if (k !== 'reasoning' && !sig.outputs.some((f) => f.name === k))
      problems.push({ path: `${path}.${k}`, message: `step '${step.id}' has no output '${k}'` });
  }
}

/** A plan as the spec it was planned from, so an overridden plan is checked by the same planner. */
function specOfPlan(plan: PipelinePlan, componentOf: (s: PlannedStep) => string): PipelineSpec {
  return {
    name: plan.name,
    inputs: plan.inputs,
    outputs: plan.outputs,
    steps: plan.steps.map((s) => ({
      id: s.id,
      component: componentOf(s),
      inputs: s.inputs as PipelineSpec['steps'][number]['inputs'],
      foreach: s.foreach,
      concurrency: s.concurrency,
      when: s.when,
      retry: s.retry,
      timeoutMs: s.timeoutMs,
    })),
  };
}

type ForkSource = {
  runId: string;
  plan: PipelinePlan;
  inputs: Record<string, unknown>;
  records: Map<string, RecordedStep>;
};
type StepRef = ReturnType<typeof parseStepRef>;

function checkFromStep(byId: Map<string, PlannedStep>, from: StepRef, problems: Problem[]): void {
  const fromStep = byId.get(from.id);
  if (!fromStep)
    problems.push({
      path: 'fromStep',
      message: `the run has no step '${from.id}' (steps: ${[...byId.keys()].join(', ')})`,
    });
  else if (from.item !== undefined && fromStep.foreach === undefined)
    problems.push({ path: 'fromStep', message: `step '${from.id}' has no items (it has no foreach)` });
}

function stepRefOrUndefined(key: string): StepRef | undefined {
  try {
    return parseStepRef(key);
  } catch {
    return undefined;
  }
}

/** Overrides by step, item overrides (`len[2]`) apart. */
function readOverrides(req: ForkRequest, byId: Map<string, PlannedStep>, problems: Problem[]) {
  const overrides = new Map<string, StepOverride>();
  const itemOutputs = new Map<string, Map<number, Record<string, unknown>>>();
  for (const [key, o] of Object.entries(req.overrides.steps ?? {})) {
    const ref = stepRefOrUndefined(key);
    const step = ref && byId.get(ref.id);
    if (!ref || !step) problems.push({ path: `overrides.steps.${key}`, message: `the run has no step '${key}'` });
    else if (ref.item === undefined) overrides.set(ref.id, o);
    else if (step.foreach === undefined)
      problems.push({ path: `overrides.steps.${key}`, message: `step '${ref.id}' has no items (it has no foreach)` });
    else if (!o.outputs || Object.keys(o).length > 1)
      problems.push({ path: `overrides.steps.${key}`, message: 'an item takes only a counterfactual `outputs`' });
    else itemOutputs.set(ref.id, (itemOutputs.get(ref.id) ?? new Map()).set(ref.item, o.outputs));
  }
  return { overrides, itemOutputs };
}

/** The component versions the new plan may use: the source's, and those the overrides name. */
function componentsOf(
  plan: PipelinePlan,
  overrides: Map<string, StepOverride>,
  resolve: (ref: string) => ResolvedComponent | undefined,
  problems: Problem[],
) {
  const refs = new Map(plan.steps.map((s) => [s.component.ref, s.component]));
  for (const [id, o] of overrides) {
    if (!o.component) continue;
    const c = resolve(o.component);
    if (c) refs.set(o.component, c);
    else
      problems.push({ path: `overrides.steps.${id}.component`, message: `unknown component version '${o.component}'` });
  }
  return refs;
}

/** A step with an override's provider, model and params. */
function withConfig(s: PlannedStep, o: StepOverride | undefined): PlannedStep {
  if (!o || (o.provider === undefined && o.model === undefined && o.params === undefined)) return s;
  const spec = {
    ...s.component.spec,
    ...(o.provider ? { provider: o.provider } : {}),
    ...(o.model ? { model: o.model } : {}),
    ...(o.params ? { params: { ...s.component.spec.params, ...o.params } } : {}),
  };
  return { ...s, component: { ...s.component, spec } };
}

/** The new plan: overridden component versions checked by the planner, then provider/model/params. */
function replan(
  source: PipelinePlan,
  overrides: Map<string, StepOverride>,
  refs: Map<string, ResolvedComponent>,
): PipelinePlan {
  let plan: PipelinePlan;
  try {
    plan = planPipeline(
      specOfPlan(source, (s) => overrides.get(s.id)?.component ?? s.component.ref),
      (ref) => refs.get(ref),
    );
  } catch (err) {
    if (err instanceof SpecError)
      throw new SpecError('invalid fork: the overridden pipeline does not check', err.problems);
    throw err;
  }
  plan.steps = plan.steps.map((s) => withConfig(s, overrides.get(s.id)));
  return plan;
}

/** What deciding each step's reuse needs, and what it builds (`reuse`, `runs`, `problems`). */
interface ReuseWalk {
  source: ForkSource;
  from: StepRef;
  overrides: Map<string, StepOverride>;
  itemOutputs: Map<string, Map<number, Record<string, unknown>>>;
  changedInputs: Set<string>;
  planned: Map<string, PlannedStep>;
  reuse: Record<string, StepReuse>;
  runs: string[];
  problems: Problem[];
  changed: Map<string, boolean>;
}

/** Whether a step's outputs may differ from the source's (it runs again or takes a counterfactual); deps first. */
function visit(w: ReuseWalk, id: string): boolean {
  const known = w.changed.get(id);
  if (known !== undefined) return known;
  const upstream = w.planned
    .get(id)!
    .deps.map((dep) => visit(w, dep))
    .some(Boolean);
  const result = decide(w, id, upstream);
  w.changed.set(id, result);
  return result;
}

function decide(w: ReuseWalk, id: string, upstream: boolean): boolean {
  const step = w.planned.get(id)!;
  const o = w.overrides.get(id);
  const recorded = w.source.records.get(id);
  const source = { runId: w.source.runId, stepId: id };
  if (o?.outputs) {
    w.reuse[id] = { source, outputs: o.outputs, counterfactual: true };
    return true;
  }
  const configChanged =
    o !== undefined &&
    (o.component !== undefined || o.provider !== undefined || o.model !== undefined || o.params !== undefined);
  const whole =
    (id === w.from.id && w.from.item === undefined) ||
    configChanged ||
    upstream ||
    inputsRead(step).some((f) => w.changedInputs.has(f)) ||
    !recorded;
  if (whole) {
    w.runs.push(id);
    return true;
  }
  if (step.foreach !== undefined && !recorded!.skipped) return decideItems(w, id, recorded!);
  const outputs = recorded!.outputs;
  w.reuse[id] = recorded!.skipped
    ? { source, outputs: null, skipped: true }
    : { source, outputs: Array.isArray(outputs) ? null : outputs };
  return false;
}

/** A foreach step that does not run whole: each item reused, taken from a counterfactual, or (the fork's item) run. */
function decideItems(w: ReuseWalk, id: string, recorded: RecordedStep): boolean {
  const items = w.itemOutputs.get(id);
  const list = Array.isArray(recorded.outputs) ? recorded.outputs : [];
  const rerun = id === w.from.id ? w.from.item : undefined;
  if (rerun !== undefined && rerun >= list.length)
    w.problems.push({ path: 'fromStep', message: `step '${id}' had ${list.length} items; there is no item ${rerun}` });
  w.reuse[id] = {
    source: { runId: w.source.runId, stepId: id },
    items: list.map((out, i) =>
      items?.has(i) ? { outputs: items.get(i)!, counterfactual: true as const } : i === rerun ? null : { outputs: out },
    ),
  };
  if (rerun !== undefined) w.runs.push(id);
  return rerun !== undefined || (items?.size ?? 0) > 0;
}

/**
 * Plan a fork. `resolve` finds a component version named by an override ("name@version").
 * Throws SpecError naming every problem (unknown step, bad counterfactual, type mismatch).
 */
export function planFork(
  source: ForkSource,
  req: ForkRequest,
  resolve: (ref: string) => ResolvedComponent | undefined,
): ForkPlan {
  const problems: Problem[] = [];
  const byId = new Map(source.plan.steps.map((s) => [s.id, s]));
  const from = parseStepRef(req.fromStep);
  checkFromStep(byId, from, problems);
  const { overrides, itemOutputs } = readOverrides(req, byId, problems);
  const inputs = { ...source.inputs, ...(req.overrides.inputs ?? {}) };
  const changedInputs = new Set(
    Object.keys(inputs).filter((k) => canonicalJson(inputs[k]) !== canonicalJson(source.inputs[k])),
  );
  const refs = componentsOf(source.plan, overrides, resolve, problems);
  if (problems.length) throw new SpecError('invalid fork', problems);
  const plan = replan(source.plan, overrides, refs);
  const planned = new Map(plan.steps.map((s) => [s.id, s]));
  for (const [id, o] of overrides)
    if (o.outputs) checkOutputs(planned.get(id)!, o.outputs, `overrides.steps.${id}.outputs`, problems);
  for (const [id, items] of itemOutputs)
    for (const [i, out] of items) checkOutputs(planned.get(id)!, out, `overrides.steps.${id}[${i}].outputs`, problems);
  if (problems.length) throw new SpecError('invalid fork', problems);
  const walk: ReuseWalk = {
    source,
    from,
    overrides,
    itemOutputs,
    changedInputs,
    planned,
    reuse: {},
    runs: [],
    problems,
    changed: new Map(),
  };
  for (const s of plan.steps) visit(walk, s.id);
  if (problems.length) throw new SpecError('invalid fork', problems);
  return { plan, inputs, reuse: walk.reuse, runs: plan.steps.map((s) => s.id).filter((id) => walk.runs.includes(id)) };
}

/**
 * Every step a run recorded, as reuse for another run of the same plan and inputs (a resumed eval's example whose
 * run was cut short): a step that completed is not called again. A step completes only after what it reads did.
 */
export function recordedReuse(
  runId: string,
  plan: PipelinePlan,
  records: Map<string, RecordedStep>,
): Record<string, StepReuse> {
  const reuse: Record<string, StepReuse> = {};
  for (const step of plan.steps) {
    const r = records.get(step.id);
    if (!r) continue;
    const source = { runId, stepId: step.id };
    if (r.skipped) reuse[step.id] = { source, outputs: null, skipped: true };
    else if (step.foreach !== undefined && Array.isArray(r.outputs))
      reuse[step.id] = { source, items: r.outputs.map((outputs) => ({ outputs })) };
    else if (!Array.isArray(r.outputs)) reuse[step.id] = { source, outputs: r.outputs };
  }
  return reuse;
}
