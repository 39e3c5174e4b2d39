// Compare two runs step by step: pipeline steps aligned by id (in dependency order), agent turns by
// sequence alignment of their tool calls; per step the configuration, the outputs and the usage.
import { stepIdOf } from './run-story/ids.js';
import type { RunDefinition } from './fork.js';
import { pinnedRef } from './pipeline-plan.js';
import { align, jsonDiff, type JsonChange } from './sequence-diff.js';

export interface RunSide {
  id: string;
  kind: string;
  status: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  definition?: RunDefinition | undefined;
  events: Array<{ seq: number; type: string; data: Record<string, unknown> }>;
}

export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  calls: number;
}

export interface StepRecord {
  stepId: string;
  status: 'completed' | 'skipped' | 'failed' | 'running';
  outputs: unknown;
  error?: string;
  /** Outputs taken from another run (a fork's source, or the step cache) or given as a counterfactual. */
  reusedFrom?: { runId: string; stepId: string };
  cached?: boolean;
  counterfactual?: boolean;
  usage: StepUsage;
  config?: Record<string, unknown> | undefined;
}

export interface StepDiff {
  key: string;
  a?: StepRecord | undefined;
  b?: StepRecord | undefined;
  config: JsonChange[];
  outputs: JsonChange[];
  delta: { tokens: number; costUsd: number; latencyMs: number };
  same: boolean;
}

export interface RunComparison {
  a: { id: string; kind: string; status: string };
  b: { id: string; kind: string; status: string };
  inputs: JsonChange[];
  outputs: JsonChange[];
  config: JsonChange[];
  usage: { tokens: number; costUsd: number };
  steps: StepDiff[];
  /** The first step (in dependency order) whose configuration, outputs or status differ. */
  firstDivergence: string | null;
}

const noUsage = (): StepUsage => ({ inputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 0, calls: 0 });

/** What a definition says configures each step (agents: one configuration for every turn). */
function stepConfigs(def: RunDefinition | undefined): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  if (def?.kind !== 'plan') return out;
  for (const s of def.plan.steps) {
    const c = s.component.spec;
    out.set(s.id, { component: pinnedRef(s.component), provider: c.provider, model: c.model ?? null, params: c.params ?? {}, instructions: c.instructions ?? '', demos: c.demos?.length ?? 0 });
  }
  return out;
}

function agentConfig(def: RunDefinition | undefined): Record<string, unknown> {
  if (def?.kind !== 'agent') return {};
  const c = def.component;
  return { component: def.ref, provider: c.provider, model: c.model ?? null, params: c.params ?? {}, instructions: c.instructions ?? '', tools: c.tools ?? [] };
}

/** Each step's record, from the run's events. */
export function stepRecordsOf(side: RunSide): Map<string, StepRecord> {
  const configs = stepConfigs(side.definition);
  const steps = new Map<string, StepRecord>();
  const get = (id: string) => steps.get(id) ?? steps.set(id, { stepId: id, status: 'running', outputs: null, usage: noUsage(), config: configs.get(id) }).get(id)!;
  for (const e of side.events) {
    const d = e.data;
    if (e.type === 'llm.response') {
      const id = stepIdOf(d);
      if (!id) continue;
      const u = get(id).usage;
      const usage = (d.usage ?? {}) as { inputTokens?: number; outputTokens?: number };
      u.inputTokens += usage.inputTokens ?? 0;
      u.outputTokens += usage.outputTokens ?? 0;
      u.costUsd += Number(d.costUsd ?? 0);
      u.latencyMs += Number(d.latencyMs ?? 0);
      u.calls++;
      continue;
    }
    const id = typeof d.stepId === 'string' ? d.stepId : undefined;
    if (!id) continue;
    const s = get(id);
    if (e.type === 'step.reused') {
      s.reusedFrom = d.source as StepRecord['reusedFrom'];
      if (d.cached) s.cached = true;
    } else if (e.type === 'step.completed') Object.assign(s, { status: d.skipped ? 'skipped' : 'completed', outputs: d.outputs, ...(d.counterfactual ? { counterfactual: true } : {}) });
    else if (e.type === 'step.failed') Object.assign(s, { status: 'failed', error: d.error });
  }
  // An agent's finishing turn records no step of its own: its answer is the run's outputs.
  if (side.kind === 'agent' && side.status === 'completed') {
    const last = [...steps.values()].filter((s) => s.status === 'running' && s.stepId.startsWith('turn[')).at(-1);
    if (last) Object.assign(last, { status: 'completed', outputs: { finish: side.outputs } });
  }
  return steps;
}

/** Step ids in dependency order (the plan's own order where it allows), then any others recorded. */
function dependencyOrder(def: RunDefinition | undefined, recorded: Iterable<string>): string[] {
  const order: string[] = [];
  if (def?.kind === 'plan') {
    const byId = new Map(def.plan.steps.map((s) => [s.id, s]));
    const visit = (id: string) => {
      if (order.includes(id) || !byId.has(id)) return;
      for (const d of byId.get(id)!.deps) visit(d);
      order.push(id);
    };
    for (const s of def.plan.steps) visit(s.id);
  }
  for (const id of recorded) if (!order.includes(id)) order.push(id);
  return order;
}

const tokens = (s: StepRecord | undefined) => (s ? s.usage.inputTokens + s.usage.outputTokens : 0);

function diffStep(key: string, a: StepRecord | undefined, b: StepRecord | undefined): StepDiff {
  const config = a?.config && b?.config ? jsonDiff(a.config, b.config) : [];
  const outputs = jsonDiff(a?.outputs ?? null, b?.outputs ?? null);
  const delta = { tokens: tokens(b) - tokens(a), costUsd: (b?.usage.costUsd ?? 0) - (a?.usage.costUsd ?? 0), latencyMs: (b?.usage.latencyMs ?? 0) - (a?.usage.latencyMs ?? 0) };
  return { key, a, b, config, outputs, delta, same: !!a && !!b && a.status === b.status && !config.length && !outputs.length };
}

/** A turn is the same turn in both runs when it calls the same tool with the same arguments. */
function turnKey(s: StepRecord): string {
  const o = (s.outputs ?? {}) as { call?: { tool: string; args: unknown }; observation?: string };
  return o.call ? `${o.call.tool}:${JSON.stringify(o.call.args)}` : `no-call:${o.observation ?? ''}`;
}

const turnIndex = (id: string) => Number(/^turn\[(\d+)\]$/.exec(id)?.[1] ?? Number.NaN);

export function compareRuns(a: RunSide, b: RunSide): RunComparison {
  const ra = stepRecordsOf(a);
  const rb = stepRecordsOf(b);
  let steps: StepDiff[];
  if (a.kind === 'agent' && b.kind === 'agent') {
    const turns = (r: Map<string, StepRecord>) => [...r.values()].filter((s) => !Number.isNaN(turnIndex(s.stepId))).sort((x, y) => turnIndex(x.stepId) - turnIndex(y.stepId));
    steps = align(turns(ra), turns(rb), turnKey).map((p) => diffStep(p.b?.stepId ?? p.a!.stepId, p.a, p.b));
  } else {
    const order = dependencyOrder(b.definition ?? a.definition, [...ra.keys(), ...rb.keys()]);
    steps = order.map((id) => diffStep(id, ra.get(id), rb.get(id)));
  }
  const config = jsonDiff(agentConfig(a.definition), agentConfig(b.definition));
  return {
    a: { id: a.id, kind: a.kind, status: a.status },
    b: { id: b.id, kind: b.kind, status: b.status },
    inputs: jsonDiff(a.inputs, b.inputs),
    outputs: jsonDiff(a.outputs, b.outputs),
    config,
    usage: { tokens: b.usage.inputTokens + b.usage.outputTokens - a.usage.inputTokens - a.usage.outputTokens, costUsd: b.usage.costUsd - a.usage.costUsd },
    steps,
    firstDivergence: steps.find((s) => !s.same)?.key ?? null,
  };
}
