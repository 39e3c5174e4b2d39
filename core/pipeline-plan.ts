// Validate a pipeline spec against its components (DAG, bindings, types) and plan its steps.
import { SpecError, type Problem } from './errors.js';
import { refName, versionRef } from './run-story/ids.js';
import { parseSignature, parseTypeExpr, type Signature } from './signature.js';
import type { ComponentSpec, PipelineSpec, StepSpec } from './specs.js';
import { isAssignable, typeToString, valueMatches, type FieldType } from './types.js';

export interface ResolvedComponent {
  ref: string;
  version: number;
  spec: ComponentSpec;
}

/** "name@version" of the version a step really runs, however the spec referred to it ("name" = latest). */
export const pinnedRef = (c: ResolvedComponent): string => versionRef(refName(c.ref), c.version);

export interface PlannedStep {
  id: string;
  component: ResolvedComponent;
  inputs: Record<string, unknown>;
  deps: string[];
  foreach?: string | undefined;
  concurrency: number;
  when?: string | undefined;
  retry?: StepSpec['retry'];
  timeoutMs?: number | undefined;
}

export interface PipelinePlan {
  name: string;
  inputs: Record<string, string>;
  steps: PlannedStep[];
  outputs: Record<string, string>;
}

type Ref = { kind: 'input'; field: string } | { kind: 'step'; step: string; field: string } | { kind: 'item' };

/** "$inputs.x" | "$steps.a.outputs.y" | "$item" -> a reference; any other value is a literal. */
export function parseRef(value: unknown): Ref | undefined {
  if (typeof value !== 'string' || !value.startsWith('$')) return undefined;
  if (value === '$item') return { kind: 'item' };
  let m = /^\$inputs\.([A-Za-z_]\w*)$/.exec(value);
  if (m) return { kind: 'input', field: m[1]! };
  m = /^\$steps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_]\w*)$/.exec(value);
  if (m) return { kind: 'step', step: m[1]!, field: m[2]! };
  return undefined;
}

export function isRefLike(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('$');
}

function findCycle(steps: Array<{ id: string; deps: string[] }>): string[] | undefined {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of byId.get(id)?.deps ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const s of steps) {
    const cycle = visit(s.id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** What planning knows while it checks a pipeline: the declared types, the steps' signatures, every problem so far. */
interface PlanContext {
  spec: PipelineSpec;
  problems: Problem[];
  inputTypes: Map<string, FieldType>;
  ids: Set<string>;
  signatures: Map<string, { sig: Signature; step: StepSpec }>;
}

function readInputTypes(spec: PipelineSpec, problems: Problem[]): Map<string, FieldType> {
  const inputTypes = new Map<string, FieldType>();
  for (const [field, typeText] of Object.entries(spec.inputs)) {
    try {
      inputTypes.set(field, parseTypeExpr(typeText));
    } catch (err) {
      problems.push({
        path: `inputs.${field}`,
        message: err instanceof SpecError ? err.problems.map((p) => p.message).join('; ') : (err as Error).message,
      });
    }
  }
  return inputTypes;
}

/** Every step id (a duplicate is a problem) and the signature of each step whose component resolves. */
function readSignatures(
  spec: PipelineSpec,
  resolve: (ref: string) => ResolvedComponent | undefined,
  problems: Problem[],
): Pick<PlanContext, 'ids' | 'signatures'> {
  const ids = new Set<string>();
  const signatures = new Map<string, { sig: Signature; step: StepSpec }>();
  for (const [i, step] of spec.steps.entries()) {
    if (ids.has(step.id)) problems.push({ path: `steps[${i}].id`, message: `duplicate step id '${step.id}'` });
    ids.add(step.id);
    const component = resolve(step.component);
    if (!component) {
      problems.push({ path: `steps.${step.id}.component`, message: `unknown component '${step.component}'` });
      continue;
    }
    try {
      signatures.set(step.id, { sig: parseSignature(component.spec.signature), step });
    } catch (err) {
      problems.push({
        path: `steps.${step.id}.component`,
        message: `component '${step.component}' has a bad signature: ${(err as Error).message}`,
      });
    }
  }
  return { ids, signatures };
}

/** The type a step's output has for its consumers: a foreach step yields a list per field. */
function outputType(ctx: PlanContext, stepId: string, field: string): FieldType | undefined {
  const entry = ctx.signatures.get(stepId);
  const f = entry?.sig.outputs.find((o) => o.name === field);
  if (!f) return undefined;
  return entry!.step.foreach ? { kind: 'list', of: f.type } : f.type;
}

/** The type a reference has where it is bound (`where`), noting a reference to nothing as a problem. */
function refType(
  ctx: PlanContext,
  ref: Ref,
  where: string,
  step: StepSpec | undefined,
  itemType: FieldType | undefined,
): FieldType | undefined {
  const { problems } = ctx;
  if (ref.kind === 'input') {
    const t = ctx.inputTypes.get(ref.field);
    if (!t && !(ref.field in ctx.spec.inputs))
      problems.push({ path: where, message: `binding to nothing: pipeline input '${ref.field}' is not declared` });
    return t;
  }
  if (ref.kind === 'item') {
    if (!step?.foreach) problems.push({ path: where, message: `'$item' is only bound inside a step with foreach` });
    return itemType;
  }
  if (!ctx.ids.has(ref.step)) {
    problems.push({ path: where, message: `unknown step '${ref.step}'` });
    return undefined;
  }
  if (step && ref.step === step.id) {
    problems.push({ path: where, message: `step '${step.id}' cannot bind to its own outputs (cycle)` });
    return undefined;
  }
  const t = outputType(ctx, ref.step, ref.field);
  if (!t && ctx.signatures.has(ref.step))
    problems.push({ path: where, message: `binding to nothing: step '${ref.step}' has no output '${ref.field}'` });
  return t;
}

/** What a step's `foreach` and `when` must be bound to: the kind of value each needs. */
const CONTROLS = { foreach: { kind: 'list', noun: 'a list' }, when: { kind: 'bool', noun: 'a bool' } } as const;

/** Check a step's `foreach` or `when` binding; returns what it refers to (undefined when absent or not a reference). */
function checkControl(
  ctx: PlanContext,
  step: StepSpec,
  control: keyof typeof CONTROLS,
  noteDep: (ref: Ref) => void,
): { type: FieldType | undefined } | undefined {
  const value = step[control];
  if (value === undefined) return undefined;
  const where = `steps.${step.id}.${control}`;
  const ref = parseRef(value);
  if (!ref || ref.kind === 'item') {
    ctx.problems.push({
      path: where,
      message: `${control} must be "$inputs.<field>" or "$steps.<id>.outputs.<field>"`,
    });
    return undefined;
  }
  noteDep(ref);
  const t = refType(ctx, ref, where, step, undefined);
  const { kind, noun } = CONTROLS[control];
  if (t && t.kind !== kind && t.kind !== 'json')
    ctx.problems.push({ path: where, message: `type mismatch: ${control} needs ${noun}, got ${typeToString(t)}` });
  return { type: t };
}

/** Check one input binding of a step against the component's declared input. */
function checkInput(
  ctx: PlanContext,
  step: StepSpec,
  field: string,
  value: unknown,
  itemType: FieldType | undefined,
  noteDep: (ref: Ref) => void,
): void {
  const { problems } = ctx;
  const entry = ctx.signatures.get(step.id);
  const where = `steps.${step.id}.inputs.${field}`;
  const target = entry?.sig.inputs.find((f) => f.name === field);
  if (entry && !target)
    problems.push({ path: where, message: `component '${step.component}' has no input '${field}'` });
  const ref = parseRef(value);
  if (isRefLike(value) && !ref) {
    problems.push({
      path: where,
      message: `bad binding '${String(value)}' (use $inputs.x, $steps.<id>.outputs.<field> or $item)`,
    });
    return;
  }
  if (!ref) {
    if (target && !valueMatches(value, target.type))
      problems.push({
        path: where,
        message: `type mismatch: literal ${JSON.stringify(value)} is not a ${typeToString(target.type)}`,
      });
    return;
  }
  noteDep(ref);
  const from = refType(ctx, ref, where, step, itemType);
  if (from && target && !isAssignable(from, target.type)) {
    problems.push({
      path: where,
      message: `type mismatch: ${String(value)} is ${typeToString(from)} but '${field}' needs ${typeToString(target.type)}`,
    });
  }
}

/** Check one step's bindings; returns the steps it depends on. */
function checkStep(ctx: PlanContext, step: StepSpec): string[] {
  const deps = new Set<string>();
  const noteDep = (ref: Ref): void => {
    if (ref.kind === 'step' && ctx.ids.has(ref.step) && ref.step !== step.id) deps.add(ref.step);
  };
  const foreach = checkControl(ctx, step, 'foreach', noteDep);
  const itemType: FieldType | undefined = !foreach
    ? undefined
    : foreach.type?.kind === 'list'
      ? foreach.type.of
      : { kind: 'json' };
  checkControl(ctx, step, 'when', noteDep);
  for (const [field, value] of Object.entries(step.inputs)) checkInput(ctx, step, field, value, itemType, noteDep);
  for (const f of ctx.signatures.get(step.id)?.sig.inputs ?? []) {
    if (!(f.name in step.inputs))
      ctx.problems.push({
        path: `steps.${step.id}.inputs.${f.name}`,
        message: `input '${f.name}' of component '${step.component}' is not bound`,
      });
  }
  return [...deps];
}

function checkOutputs(ctx: PlanContext): void {
  for (const [field, value] of Object.entries(ctx.spec.outputs)) {
    const ref = parseRef(value);
    if (!ref || ref.kind === 'item')
      ctx.problems.push({
        path: `outputs.${field}`,
        message: `an output must be "$steps.<id>.outputs.<field>" or "$inputs.<field>"`,
      });
    else refType(ctx, ref, `outputs.${field}`, undefined, undefined);
  }
}

/**
 * Check a pipeline and plan it. `resolve` maps a step's component reference to a stored version
 * (or undefined when there is none). Throws SpecError listing every problem found.
 */
export function planPipeline(
  spec: PipelineSpec,
  resolve: (ref: string) => ResolvedComponent | undefined,
): PipelinePlan {
  const problems: Problem[] = [];
  const inputTypes = readInputTypes(spec, problems);
  const ctx: PlanContext = { spec, problems, inputTypes, ...readSignatures(spec, resolve, problems) };
  const planned: PlannedStep[] = [];
  for (const step of spec.steps) {
    const deps = checkStep(ctx, step);
    const component = resolve(step.component);
    if (!component) continue;
    planned.push({
      id: step.id,
      component,
      inputs: step.inputs,
      deps,
      foreach: step.foreach,
      concurrency: step.concurrency ?? 4,
      when: step.when,
      retry: step.retry,
      timeoutMs: step.timeoutMs,
    });
  }
  checkOutputs(ctx);
  const cycle = findCycle(planned);
  if (cycle) problems.push({ path: 'steps', message: `cycle: ${cycle.join(' -> ')}` });
  if (problems.length) throw new SpecError(`pipeline '${spec.name}' is invalid`, problems);
  return { name: spec.name, inputs: spec.inputs, steps: planned, outputs: spec.outputs };
}

/** Check run inputs against a pipeline's declared input types. */
export function checkRunInputs(declared: Record<string, string>, inputs: Record<string, unknown>): void {
  const problems: Problem[] = [];
  for (const [field, typeText] of Object.entries(declared)) {
    const t = parseTypeExpr(typeText);
    if (!(field in inputs))
      problems.push({ path: `inputs.${field}`, message: `missing input '${field}' (${typeText})` });
    else if (!valueMatches(inputs[field], t))
      problems.push({
        path: `inputs.${field}`,
        message: `expected ${typeToString(t)}, got ${JSON.stringify(inputs[field])}`,
      });
  }
  for (const field of Object.keys(inputs)) {
    if (!(field in declared)) problems.push({ path: `inputs.${field}`, message: `unknown input '${field}'` });
  }
  if (problems.length) throw new SpecError('invalid run inputs', problems);
}

/** Resolve a binding against run state; used by the workflow at run time. */
export function resolveBinding(
  value: unknown,
  state: { inputs: Record<string, unknown>; outputs: Record<string, Record<string, unknown> | null>; item?: unknown },
): unknown {
  const ref = parseRef(value);
  if (!ref) return value;
  if (ref.kind === 'input') return state.inputs[ref.field];
  if (ref.kind === 'item') return state.item;
  return state.outputs[ref.step]?.[ref.field] ?? null;
}

/** The one-step plan that runs a single component version (trying it, evaluating it). */
export function componentPlan(name: string, version: number, spec: ComponentSpec): PipelinePlan {
  const sig = parseSignature(spec.signature);
  const ref = versionRef(name, version);
  return {
    name,
    inputs: Object.fromEntries(sig.inputs.map((f) => [f.name, typeToString(f.type)])),
    steps: [
      {
        id: name,
        component: { ref, version, spec },
        inputs: Object.fromEntries(sig.inputs.map((f) => [f.name, `$inputs.${f.name}`])),
        deps: [],
        concurrency: 1,
      },
    ],
    outputs: Object.fromEntries(sig.outputs.map((f) => [f.name, `$steps.${name}.outputs.${f.name}`])),
  };
}
