// MIPROv2 as DSPy 3 runs it: demo sets (the current demos, labeled examples, bootstrapped traces), instructions
// proposed from a summary of the data, the program and a demo set (one tip each), then a TPE search over
// (instruction, demo set) scored on minibatches of dev, the best so far scored on all of dev every few trials.
// A long search continues as new, carrying the proposals and the trials.
import {
  cleanInstruction,
  demosText,
  PROPOSAL_TIPS,
  programText,
  proposer,
  proposeStep,
  summarizer,
  SUMMARY_STEP,
  TIP_NAMES,
} from '../core/optimizers/prompts.js';
import { draw, minibatch, shuffled } from '../core/optimizers/sample.js';
import { suggest } from '../core/optimizers/tpe.js';
import { runNote, trialCompleted } from '../core/run-story/events.js';
import { teacherRunId } from '../core/run-story/ids.js';
import type { ComponentSpec } from '../core/specs.js';
import type { Demo, MiproState } from './optimize-state.js';
import { teachOne } from './optimize-teacher.js';
import { ask, candidateSpec, conclude, scoreCandidate, searchLoop, type Search } from './optimize-search.js';
import { record } from './run-events.js';

/** Draw purposes: each decision has its own stream, so adding one never moves another's draws. */
const TIP = 1;
const MINIBATCH = 2;
const DEMO_SIZE = 3;
/** A teacher run is about ten history events: 300 of them leave room for the proposals and the first trials. */
const MAX_TEACHER_RUNS = 300;

const key = (p: number[]) => p.join(',');

/** The combination with the best mean minibatch score that has not been scored on all of dev yet. */
function bestUnscored(state: MiproState): number[] | undefined {
  const sums = new Map<string, { params: number[]; sum: number; n: number }>();
  for (const t of state.trials) {
    const e = sums.get(key(t.params)) ?? { params: t.params, sum: 0, n: 0 };
    sums.set(key(t.params), { ...e, sum: e.sum + t.score, n: e.n + 1 });
  }
  const done = new Set(state.full.map((f) => key(f.params)));
  let best: { params: number[]; mean: number } | undefined;
  for (const e of sums.values())
    if (!done.has(key(e.params)) && (!best || e.sum / e.n > best.mean)) best = { params: e.params, mean: e.sum / e.n };
  return best?.params;
}

const specOf = (s: Search, state: MiproState, [i, d]: number[]): ComponentSpec =>
  candidateSpec(s.input.component.spec, { instruction: state.instructions[i!]!, demos: state.demoSets[d!]! });

/** Demo sets: the current demos, labeled train examples, then shuffled subsets of the teacher's passing traces. */
async function demoSets(s: Search, order: string[]): Promise<{ sets: Demo[][]; labeled: Demo[] }> {
  const { input, options } = s;
  const labeled: Demo[] = [];
  for (const id of order.slice(0, Math.max(input.k, 10))) {
    const ex = await s.lookup.loadExample({ exampleId: id });
    labeled.push({ inputs: ex.inputs, outputs: ex.expected });
  }
  const traces: Demo[] = [];
  // Sets 2.. are bootstrapped: with two candidates there are none, and the teacher does not run.
  const wanted = input.k * Math.max(0, options.candidates - 2);
  // The teacher tries train examples until enough pass: at most four times as many as it needs, and at most
  // MAX_TEACHER_RUNS, so this pass stays well inside one history (it does not continue as new).
  const taught: string[] = [];
  for (const id of order.slice(0, Math.min(wanted * 4, MAX_TEACHER_RUNS))) {
    if (traces.length >= wanted) break;
    await teachOne(s, s.teacher, id, traces);
    taught.push(teacherRunId(input.runId, id));
  }
  // The teacher's runs count against the budget like the evals' (at most MAX_TEACHER_RUNS ids: one small read).
  const used = await s.lookup.runsUsage({ runIds: taught });
  s.spent.tokens += used.tokens;
  s.spent.costUsd += used.costUsd;
  const sets: Demo[][] = [(input.component.spec.demos ?? []) as Demo[], labeled.slice(0, input.k)];
  for (let n = 2; n < options.candidates; n++) {
    if (!traces.length) break;
    const size = 1 + Math.floor(draw(options.seed, DEMO_SIZE, n) * Math.min(input.k, traces.length));
    sets.push(shuffled(traces, options.seed + n).slice(0, size));
  }
  return { sets, labeled };
}

/** The current instruction, then one grounded proposal per other candidate, each with a drawn tip and demo set. */
async function proposeInstructions(s: Search, sets: Demo[][], labeled: Demo[]): Promise<string[]> {
  const { options, input } = s;
  const spec = input.component.spec;
  const summarized = await ask(s, { stepId: SUMMARY_STEP }, summarizer(options.proposer), {
    examples: demosText(labeled),
  });
  const summary = String(summarized?.summary ?? '(no summary)');
  const out = [spec.instructions ?? ''];
  for (let n = 1; n < options.candidates; n++) {
    const tip = TIP_NAMES[Math.floor(draw(options.seed, TIP, n) * TIP_NAMES.length)]!;
    const r = await ask(s, { stepId: proposeStep(n), sample: n }, proposer(options.proposer), {
      dataset_summary: summary,
      program: programText(spec),
      demos: demosText(sets[n % sets.length]!),
      tip: PROPOSAL_TIPS[tip] || '(none)',
    });
    // A proposal that failed or came back empty leaves the current instruction in its place.
    out.push(cleanInstruction(r?.proposed_instruction) || out[0]!);
  }
  return out;
}

/** A fresh search's start: the current program on all of dev, demo sets and proposals. */
async function prepare(s: Search): Promise<MiproState> {
  const { input, options } = s;
  const before = await scoreCandidate(s, 'before', input.component.spec, input.dev);
  await record(input.runId, [
    runNote('before', 'info', `before: ${before.mean.toFixed(3)} on ${input.dev.length} dev examples`),
  ]);
  const { sets, labeled } = await demoSets(s, shuffled(input.train, options.seed));
  const instructions = await proposeInstructions(s, sets, labeled);
  await record(input.runId, [
    runNote(
      'search',
      'info',
      `searching ${instructions.length} instructions × ${sets.length} demo sets in ${options.trials} trials`,
    ),
  ]);
  return {
    instructions,
    demoSets: sets,
    trials: [],
    full: [{ params: [0, 0], score: before.mean, mean: before.mean, ci95: before.ci95 }],
    spent: s.spent,
  };
}

/** Trial t: a TPE suggestion scored on a minibatch of dev; every few trials (and the last) the best so far on all of dev. */
async function trial(s: Search, state: MiproState, t: number): Promise<void> {
  const { input, options } = s;
  const params = suggest([state.instructions.length, state.demoSets.length], state.trials, options.seed);
  const batch = minibatch(input.dev, options.minibatch, options.seed * 17 + MINIBATCH, t - 1);
  const r = await scoreCandidate(s, `t${t}`, specOf(s, state, params), batch);
  s.spent.candidates++;
  state.trials.push({ params, score: r.mean });
  const outputs = { instruction: params[0]!, demoSet: params[1]!, score: r.mean, examples: batch.length };
  await record(input.runId, [trialCompleted(t, { outputs })]);
  if (t % options.fullEvalEvery !== 0 && t !== options.trials) return;
  const best = bestUnscored(state);
  if (!best) return;
  const full = await scoreCandidate(s, `f${t}`, specOf(s, state, best), input.dev);
  state.full.push({ params: best, score: full.mean, mean: full.mean, ci95: full.ci95 });
}

export async function mipro(s: Search): Promise<Record<string, unknown>> {
  const { input, options } = s;
  const state = (input.state as MiproState | undefined) ?? (await prepare(s));
  s.spent = state.spent;
  await searchLoop(s, {
    first: state.trials.length + 1,
    last: options.trials,
    noun: 'trial',
    carry: () => state,
    step: (t) => trial(s, state, t),
  });
  const best = state.full.reduce((b, f) => (f.score > b.score ? f : b), state.full[0]!);
  return conclude(
    s,
    { spec: specOf(s, state, best.params) },
    {
      optimizer: 'mipro',
      trials: state.trials.length,
      best: { instruction: best.params[0], demoSet: best.params[1] },
      instructions: state.instructions.length,
      demoSets: state.demoSets.length,
    },
  );
}
