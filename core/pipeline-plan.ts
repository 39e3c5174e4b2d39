// Validate a pipeline spec against its components (DAG, bindings, types) and plan its steps.
import { SpecError, type Problem } from './errors.js';
import { parseSignature, parseTypeExpr, type Signature } from './signature.js';
import type { ComponentSpec, PipelineSpec, StepSpec } from './specs.js';
import { isAssignable, typeToString, valueMatches, type FieldType } from './types.js';

export interface ResolvedComponent {
  ref: string;
  version: number;
  spec: ComponentSpec;
}

/** "name@version" of the version a step really runs, however the spec referred to it ("name" = latest). */
export const pinnedRef = (c: ResolvedComponent): string => `${c.ref.split('@')[0]}@${c.version}`;

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

type Ref =
  | { kind: 'input'; field: string }
  | { kind: 'step'; step: string; field: string }
  | { kind: 'item' };

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

/**
 * Check a pipeline and plan it. `resolve` maps a step's component reference to a stored version
 * (or undefined when there is none). Throws SpecError listing every problem found.
 */
export function planPipeline(spec: PipelineSpec, resolve: (ref: string) => ResolvedComponent | undefined): PipelinePlan {
  const problems: Problem[] = [];
  const inputTypes = new Map<string, FieldType>();
  for (const [field, typeText] of Object.entries(spec.inputs)) {
    try {
      inputTypes.set(field, parseTypeExpr(typeText));
    } catch (err) {
      problems.push({ path: `inputs.${field}`, message: err instanceof SpecError ? err.problems.map((p) => p.message).join('; ') : (err as Error).message });
    }
  }

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
      problems.push({ path: `steps.${step.id}.component`, message: `component '${step.component}' has a bad signature: ${(err as Error).message}` });
    }
  }

  // The type a step's output has for its consumers: a foreach step yields a list per field.
  const outputType = (stepId: string, field: string): FieldType | undefined => {
    const entry = signatures.get(stepId);
    const f = entry?.sig.outputs.find((o) => o.name === field);
    if (!f) return undefined;
    return entry!.step.foreach ? { kind: 'list', of: f.type } : f.type;
  };

  const refType = (ref: Ref, where: string, step: StepSpec | undefined, itemType: FieldType | undefined): FieldType | undefined => {
    if (ref.kind === 'input') {
      const t = inputTypes.get(ref.field);
      if (!t && !(ref.field in spec.inputs)) problems.push({ path: where, message: `binding to nothing: pipeline input '${ref.field}' is not declared` });
      return t;
    }
    if (ref.kind === 'item') {
      if (!step?.foreach) problems.push({ path: where, message: `'$item' is only bound inside a step with foreach` });
      return itemType;
    }
    if (!ids.has(ref.step)) {
      problems.push({ path: where, message: `unknown step '${ref.step}'` });
      return undefined;
    }
    if (step && ref.step === step.id) {
      problems.push({ path: where, message: `step '${step.id}' cannot bind to its own outputs (cycle)` });
      return undefined;
    }
    const t = outputType(ref.step, ref.field);
    if (!t && signatures.has(ref.step)) problems.push({ path: where, message: `binding to nothing: step '${ref.step}' has no output '${ref.field}'` });
    return t;
  };

  const planned: PlannedStep[] = [];
  for (const step of spec.steps) {
    const entry = signatures.get(step.id);
    const deps = new Set<string>();
    const noteDep = (ref: Ref | undefined): void => {
      if (ref?.kind === 'step' && ids.has(ref.step) && ref.step !== step.id) deps.add(ref.step);
    };

    let itemType: FieldType | undefined;
    if (step.foreach !== undefined) {
      const ref = parseRef(step.foreach);
      if (!ref || ref.kind === 'item') {
        problems.push({ path: `steps.${step.id}.foreach`, message: `foreach must be "$inputs.<field>" or "$steps.<id>.outputs.<field>"` });
      } else {
        noteDep(ref);
        const t = refType(ref, `steps.${step.id}.foreach`, step, undefined);
        if (t && t.kind !== 'list' && t.kind !== 'json') problems.push({ path: `steps.${step.id}.foreach`, message: `type mismatch: foreach needs a list, got ${typeToString(t)}` });
        itemType = t?.kind === 'list' ? t.of : { kind: 'json' };
      }
    }
    if (step.when !== undefined) {
      const ref = parseRef(step.when);
      if (!ref || ref.kind === 'item') {
        problems.push({ path: `steps.${step.id}.when`, message: `when must be "$inputs.<field>" or "$steps.<id>.outputs.<field>"` });
      } else {
        noteDep(ref);
        const t = refType(ref, `steps.${step.id}.when`, step, undefined);
        if (t && t.kind !== 'bool' && t.kind !== 'json') problems.push({ path: `steps.${step.id}.when`, message: `type mismatch: when needs a bool, got ${typeToString(t)}` });
      }
    }

    for (const [field, value] of Object.entries(step.inputs)) {
      const where = `steps.${step.id}.inputs.${field}`;
      const target = entry?.sig.inputs.find((f) => f.name === field);
      if (entry && !target) problems.push({ path: where, message: `component '${step.component}' has no input '${field}'` });
      const ref = parseRef(value);
      if (isRefLike(value) && !ref) {
        problems.push({ path: where, message: `bad binding '${String(value)}' (use $inputs.x, $steps.<id>.outputs.<field> or $item)` });
        continue;
      }
      if (!ref) {
        if (target && !valueMatches(value, target.type)) problems.push({ path: where, message: `type mismatch: literal ${JSON.stringify(value)} is not a ${typeToString(target.type)}` });
        continue;
      }
      noteDep(ref);
      const from = refType(ref, where, step, itemType);
      if (from && target && !isAssignable(from, target.type)) {
        problems.push({ path: where, message: `type mismatch: ${String(value)} is ${typeToString(from)} but '${field}' needs ${typeToString(target.type)}` });
      }
    }
    for (const f of entry?.sig.inputs ?? []) {
      if (!(f.name in step.inputs)) problems.push({ path: `steps.${step.id}.inputs.${f.name}`, message: `input '${f.name}' of component '${step.component}' is not bound` });
    }
    const component = resolve(step.component);
    if (component) {
      planned.push({
        id: step.id,
        component,
        inputs: step.inputs,
        deps: [...deps],
        foreach: step.foreach,
        concurrency: step.concurrency ?? 4,
        when: step.when,
        retry: step.retry,
        timeoutMs: step.timeoutMs,
      });
    }
  }

  for (const [field, value] of Object.entries(spec.outputs)) {
    const ref = parseRef(value);
    if (!ref || ref.kind === 'item') problems.push({ path: `outputs.${field}`, message: `an output must be "$steps.<id>.outputs.<field>" or "$inputs.<field>"` });
    else refType(ref, `outputs.${field}`, undefined, undefined);
  }

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
    if (!(field in inputs)) problems.push({ path: `inputs.${field}`, message: `missing input '${field}' (${typeText})` });
    else if (!valueMatches(inputs[field], t)) problems.push({ path: `inputs.${field}`, message: `expected ${typeToString(t)}, got ${JSON.stringify(inputs[field])}` });
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
  const ref = `${name}@${version}`;
  return {
    name,
    inputs: Object.fromEntries(sig.inputs.map((f) => [f.name, typeToString(f.type)])),
    steps: [{ id: name, component: { ref, version, spec }, inputs: Object.fromEntries(sig.inputs.map((f) => [f.name, `$inputs.${f.name}`])), deps: [], concurrency: 1 }],
    outputs: Object.fromEntries(sig.outputs.map((f) => [f.name, `$steps.${name}.outputs.${f.name}`])),
  };
}
