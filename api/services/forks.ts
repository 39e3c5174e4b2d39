// Fork a run from a step: a new run (new workflow) that reuses what the source recorded before it.
import { SpecError } from '../../core/errors.js';
import {
  forkRequest,
  planFork,
  type ForkNode,
  type ForkRequest,
  type RecordedStep,
  type RunDefinition,
  type StepOverride,
} from '../../core/fork.js';
import { checkRunInputs, type ResolvedComponent } from '../../core/pipeline-plan.js';
import type { TrajectoryStep } from '../../core/react.js';
import { parseVersionRef, refName, refVersion, turnId, turnOf } from '../../core/run-story/ids.js';
import type { ComponentSpec } from '../../core/specs.js';
import { NotFoundError } from '../../db/errors.js';
import type { RunRow } from '../../db/models/run.js';
import { forksOf, getRunDefinition } from '../../db/repositories/run-definitions.js';
import * as runs from '../../db/repositories/runs.js';
import { components } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { forkEval } from './evals.js';
import { startAgentRun, startPlannedRun } from './runs.js';

/** A component version named "name@version", or undefined when there is none. */
async function findComponent(ctx: AppContext, ref: string): Promise<ResolvedComponent | undefined> {
  const r = parseVersionRef(ref);
  if (r?.version === undefined) return undefined;
  try {
    const version = await components.getVersion(ctx.store, r.name, r.version);
    return { ref, version: version.version, spec: version.spec };
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

async function forkPlannedRun(
  ctx: AppContext,
  source: RunRow,
  plan: Extract<RunDefinition, { kind: 'plan' }>['plan'],
  req: ForkRequest,
) {
  const resolved = new Map<string, ResolvedComponent>();
  for (const o of Object.values(req.overrides.steps ?? {})) {
    const c = o.component && (await findComponent(ctx, o.component));
    if (c) resolved.set(c.ref, c);
  }
  const records = new Map<string, RecordedStep>();
  for (const [id, r] of await runs.stepRecords(ctx.store, source.id))
    records.set(id, r.data as unknown as RecordedStep);
  const fork = planFork({ runId: source.id, plan, inputs: source.inputs, records }, req, (ref) => resolved.get(ref));
  checkRunInputs(fork.plan.inputs, fork.inputs);
  const kind = source.kind as 'pipeline' | 'component';
  const version = { id: source.target.id, name: source.target.name, version: source.target.version };
  return startPlannedRun(ctx, {
    kind,
    version,
    plan: fork.plan,
    inputs: fork.inputs,
    cache: req.cache,
    fork: { of: { runId: source.id, step: req.fromStep }, reuse: fork.reuse },
  });
}

/** `turn[2]` or `2` -> 2. */
function forkTurn(fromStep: string): number {
  const n = /^\d+$/.test(fromStep) ? Number(fromStep) : turnOf(fromStep);
  if (n === undefined)
    throw new SpecError('invalid fork', [
      { path: 'fromStep', message: `an agent forks from a turn: 'turn[N]' or N, not '${fromStep}'` },
    ]);
  return n;
}

async function forkAgentRun(
  ctx: AppContext,
  source: RunRow,
  def: Extract<RunDefinition, { kind: 'agent' }>,
  req: ForkRequest,
) {
  const from = forkTurn(req.fromStep);
  if (req.overrides.steps)
    throw new SpecError('invalid fork', [
      { path: 'overrides.steps', message: 'an agent has turns, not steps: use overrides.agent' },
    ]);
  const records = await runs.stepRecords(ctx.store, source.id);
  const turns: TrajectoryStep[] = [];
  for (let i = 0; i < from; i++) {
    const r = records.get(turnId(i));
    if (!r)
      throw new SpecError('invalid fork', [
        { path: 'fromStep', message: `run '${source.id}' recorded ${i} turns; it cannot be forked from turn ${from}` },
      ]);
    turns.push(r.data.outputs as TrajectoryStep);
  }
  const o: Omit<StepOverride, 'outputs'> = req.overrides.agent ?? {};
  let ref = def.ref;
  let spec: ComponentSpec = def.component;
  if (o.component) {
    const c = await findComponent(ctx, o.component);
    if (!c)
      throw new SpecError('invalid fork', [
        { path: 'overrides.agent.component', message: `unknown component version '${o.component}'` },
      ]);
    if (c.spec.kind !== 'react')
      throw new SpecError('invalid fork', [
        { path: 'overrides.agent.component', message: `'${o.component}' is not an agent (kind ${c.spec.kind})` },
      ]);
    ref = c.ref;
    spec = c.spec;
  }
  spec = {
    ...spec,
    ...(o.provider ? { provider: o.provider } : {}),
    ...(o.model ? { model: o.model } : {}),
    ...(o.params ? { params: { ...spec.params, ...o.params } } : {}),
  };
  const head =
    ref === def.ref ? source.target : { ...source.target, name: refName(ref), version: Number(refVersion(ref)) };
  return startAgentRun(ctx, {
    version: { id: head.id, name: head.name, version: head.version, spec },
    inputs: { ...source.inputs, ...(req.overrides.inputs ?? {}) },
    fork: { of: { runId: source.id, step: turnId(from) }, turns },
  });
}

/**
 * Fork a pipeline, component or agent run.
 * @example await forkRun(ctx, await loadRun(ctx, runId), { fromStep: 'both', overrides: { steps: { both: { component: 'join@2' } } } })
 */
export async function forkRun(ctx: AppContext, source: RunRow, body: unknown) {
  const req = forkRequest.parse(body);
  // A whole eval: the change applies to every example, each reusing its own recorded steps.
  if (source.kind === 'eval') return forkEval(ctx, source, req, (ref) => findComponent(ctx, ref));
  const def = await getRunDefinition<RunDefinition>(ctx.store, source.id);
  if (!def)
    throw new AppError(
      409,
      'not_forkable',
      `run '${source.id}' (${source.kind}) has no stored definition to fork from: only pipeline, component and agent runs started by the harness can be forked`,
    );
  return def.kind === 'plan' ? forkPlannedRun(ctx, source, def.plan, req) : forkAgentRun(ctx, source, def, req);
}

/** What the run was asked to do (its plan, or its agent's spec): the fork form starts from it. */
export async function runDefinition(ctx: AppContext, run: RunRow): Promise<RunDefinition> {
  const def = await getRunDefinition<RunDefinition>(ctx.store, run.id);
  if (!def) throw new AppError(404, 'not_found', `run '${run.id}' has no stored definition`);
  return def;
}

/** The whole family of a run: its first ancestor and every fork below it. */
export async function forkTree(ctx: AppContext, of: RunRow): Promise<{ root: ForkNode; path: string[] }> {
  let run = of;
  const path = [run.id];
  // Lineage is a tree written once per fork; the bound only guards against a hand-edited store.
  for (let i = 0; run.forkOfRun && i < 100; i++) {
    run = await runs.getRun(ctx.store, run.forkOfRun);
    path.unshift(run.id);
  }
  const root: ForkNode = { id: run.id, step: null, status: run.status, createdAt: run.createdAt, children: [] };
  let level = [root];
  for (let depth = 0; level.length && depth < 100; depth++) {
    const byId = new Map(level.map((n) => [n.id, n]));
    const next: ForkNode[] = [];
    for (const f of await forksOf(ctx.store, [...byId.keys()])) {
      const node: ForkNode = { id: f.id, step: f.forkOfStep, status: f.status, createdAt: f.createdAt, children: [] };
      byId.get(f.forkOfRun)!.children.push(node);
      next.push(node);
    }
    level = next;
  }
  return { root, path };
}
