// Compare two runs step by step: pipeline steps aligned by id (in dependency order), agent turns by
// sequence alignment of their tool calls; per step the configuration, the outputs and the usage.
import type { RunDefinition } from './fork.js';
import { pinnedRef } from './pipeline-plan.js';
import type { RunEvent } from './run-story/events.js';
import { foldSteps, type StepState } from './run-story/fold.js';
import { turnOf } from './run-story/ids.js';
import { align, jsonDiff, type JsonChange } from './sequence-diff.js';

export interface RunSide {
  id: string;
  kind: string;
  status: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | null;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  definition?: RunDefinition | undefined;
  /** Its events, at least those the fold reads (FOLDED_EVENT_TYPES). */
  events: RunEvent[];
}

/** A step as the one fold sees it (core/run-story/fold.ts), with what the definition says configures it. */
export interface StepRecord extends StepState {
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

/** What a definition says configures each step (agents: one configuration for every turn). */
function stepConfigs(def: RunDefinition | undefined): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  if (def?.kind !== 'plan') return out;
  for (const s of def.plan.steps) {
    const c = s.component.spec;
    out.set(s.id, {
      component: pinnedRef(s.component),
      provider: c.provider,
      model: c.model ?? null,
      params: c.params ?? {},
      instructions: c.instructions ?? '',
      demos: c.demos?.length ?? 0,
    });
  }
  return out;
}

function agentConfig(def: RunDefinition | undefined): Record<string, unknown> {
  if (def?.kind !== 'agent') return {};
  const c = def.component;
  return {
    component: def.ref,
    provider: c.provider,
    model: c.model ?? null,
    params: c.params ?? {},
    instructions: c.instructions ?? '',
    tools: c.tools ?? [],
  };
}

/** Each step's record, from the run's events. */
export function stepRecordsOf(side: RunSide): Map<string, StepRecord> {
  const configs = stepConfigs(side.definition);
  const steps: Map<string, StepRecord> = foldSteps(side.events);
  for (const [id, s] of steps) s.config = configs.get(id);
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
  const delta = {
    tokens: tokens(b) - tokens(a),
    costUsd: (b?.usage.costUsd ?? 0) - (a?.usage.costUsd ?? 0),
    latencyMs: (b?.usage.latencyMs ?? 0) - (a?.usage.latencyMs ?? 0),
  };
  return {
    key,
    a,
    b,
    config,
    outputs,
    delta,
    same: !!a && !!b && a.status === b.status && !config.length && !outputs.length,
  };
}

/** A turn is the same turn in both runs when it calls the same tool with the same arguments. */
function turnKey(s: StepRecord): string {
  const o = (s.outputs ?? {}) as { call?: { tool: string; args: unknown }; observation?: string };
  return o.call ? `${o.call.tool}:${JSON.stringify(o.call.args)}` : `no-call:${o.observation ?? ''}`;
}

const turnIndex = (id: string) => turnOf(id) ?? Number.NaN;

export function compareRuns(a: RunSide, b: RunSide): RunComparison {
  const ra = stepRecordsOf(a);
  const rb = stepRecordsOf(b);
  let steps: StepDiff[];
  if (a.kind === 'agent' && b.kind === 'agent') {
    const turns = (r: Map<string, StepRecord>) =>
      [...r.values()]
        .filter((s) => !Number.isNaN(turnIndex(s.stepId)))
        .sort((x, y) => turnIndex(x.stepId) - turnIndex(y.stepId));
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
    usage: {
      tokens: b.usage.inputTokens + b.usage.outputTokens - a.usage.inputTokens - a.usage.outputTokens,
      costUsd: b.usage.costUsd - a.usage.costUsd,
    },
    steps,
    firstDivergence: steps.find((s) => !s.same)?.key ?? null,
  };
}
