// GEPA as its paper and DSPy describe it: a parent drawn from the Pareto frontier over dev examples runs a
// minibatch of train; a reflection model reads its traces and the metric's feedback and proposes a new instruction;
// a proposal that does better on the same minibatch is scored on all of dev and joins the pool. A long search
// continues as new, carrying the pool (instructions and their per-example scores).
import { bestCandidate, selectParent } from '../core/optimizers/pareto.js';
import { cleanInstruction, programText, reflector, reflectStep } from '../core/optimizers/prompts.js';
import { minibatch } from '../core/optimizers/sample.js';
import { runNote, trialCompleted } from '../core/run-story/events.js';
import type { GepaCandidate, GepaState } from './optimize-state.js';
import { ask, candidateSpec, conclude, scoreCandidate, searchLoop, type Search } from './optimize-search.js';
import { record } from './run-events.js';

const sum = (scores: Record<string, number>) => Object.values(scores).reduce((a, b) => a + b, 0);
const specOf = (s: Search, c: GepaCandidate) => candidateSpec(s.input.component.spec, { instruction: c.instruction });

/** Iteration i: reflect on the parent's minibatch and keep the proposal if it does better there. */
async function iterate(s: Search, state: GepaState, i: number): Promise<void> {
  const { input, options } = s;
  const parentAt = selectParent(
    state.pool.map((c) => c.scores),
    options.seed,
    i,
  );
  const parent = state.pool[parentAt]!;
  // Iteration i takes batch i - 1: the first iteration starts the first epoch.
  const batch = minibatch(input.train, options.minibatch, options.seed, i - 1);
  const old = await scoreCandidate(s, `i${i}-old`, specOf(s, parent), batch, 'traces');
  const done = (outputs: Record<string, unknown>) =>
    record(input.runId, [trialCompleted(i, { outputs: { parent: parentAt, old: old.mean, ...outputs } })]);
  // A parent already perfect on the minibatch has nothing to learn from it (GEPA's skip_perfect_score).
  if (old.mean >= 1) return void (await done({ skipped: 'perfect on the minibatch' }));
  const reply = await ask(s, { stepId: reflectStep(i), sample: i }, reflector(options.proposer), {
    current_instruction: parent.instruction || '(none)',
    program: programText(specOf(s, parent)),
    traces: old.traces,
  });
  if (!reply) return void (await done({ skipped: 'the reflection failed' }));
  const instruction = cleanInstruction(reply.new_instruction);
  if (!instruction || instruction === parent.instruction)
    return void (await done({ skipped: 'the reflection proposed no change' }));
  s.spent.candidates++;
  const proposal = await scoreCandidate(
    s,
    `i${i}-new`,
    candidateSpec(input.component.spec, { instruction }),
    batch,
    'scores',
  );
  if (sum(proposal.scores) <= sum(old.scores))
    return void (await done({ new: proposal.mean, accepted: false, instruction }));
  const index = state.pool.length;
  const val = await scoreCandidate(
    s,
    `v${index}`,
    candidateSpec(input.component.spec, { instruction }),
    input.dev,
    'scores',
  );
  state.pool.push({ instruction, parent: parentAt, scores: val.scores, mean: val.mean, ci95: val.ci95 });
  await done({ new: proposal.mean, accepted: true, candidate: index, val: val.mean, instruction });
}

/** The seed program scored on all of dev: the pool's first candidate. */
async function prepare(s: Search): Promise<GepaState> {
  const { input } = s;
  const before = await scoreCandidate(s, 'before', input.component.spec, input.dev, 'scores');
  await record(input.runId, [
    runNote('before', 'info', `before: ${before.mean.toFixed(3)} on ${input.dev.length} dev examples`),
  ]);
  const seed: GepaCandidate = {
    instruction: input.component.spec.instructions ?? '',
    parent: null,
    scores: before.scores,
    mean: before.mean,
    ci95: before.ci95,
  };
  return { pool: [seed], iteration: 1, spent: s.spent };
}

export async function gepa(s: Search): Promise<Record<string, unknown>> {
  const { input, options } = s;
  const state = (input.state as GepaState | undefined) ?? (await prepare(s));
  s.spent = state.spent;
  state.iteration = await searchLoop(s, {
    first: state.iteration,
    last: options.trials,
    noun: 'iteration',
    carry: (n) => ({ ...state, iteration: n }),
    step: (n) => iterate(s, state, n),
  });
  const best = state.pool[bestCandidate(state.pool.map((c) => c.scores))]!;
  return conclude(
    s,
    { spec: specOf(s, best) },
    {
      optimizer: 'gepa',
      iterations: state.iteration - 1,
      candidates: state.pool.length,
      frontier: state.pool.map((c, i) => ({ candidate: i, parent: c.parent, mean: c.mean })),
    },
  );
}
