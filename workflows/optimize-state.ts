// What an optimizer run carries: its input, and on a continued execution the search's state (MIPROv2's
// proposals and trials, GEPA's pool). Types only, shared by the optimizer workflows without a cycle.
import type { ActivityInterfaceFor, LocalActivityInterfaceFor } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { Aggregate, MetricSpec } from '../core/metrics.js';
import type { Proposer } from '../core/optimizers/prompts.js';
import type { Trial } from '../core/optimizers/tpe.js';
import type { componentPlan } from '../core/pipeline-plan.js';
import type { ComponentSpec } from '../core/specs.js';
import type { EvalSummary } from './eval.js';

export interface OptimizeRunInput {
  runId: string;
  component: { id: string; name: string; version: number; spec: ComponentSpec };
  /** Example ids of the train and dev splits (loaded one at a time). */
  train: string[];
  dev: string[];
  metric: MetricSpec;
  /** A trace passes when its score reaches this (1 = exactly right). */
  threshold: number;
  k: number;
  heartbeatTimeoutMs?: number;
  /** The step cache for the teacher's and the evals' runs. */
  cache?: 'reuse' | 'off';
  /** Continue as new past this many history events. */
  continueAfterEvents?: number;
  /** Set on a continued execution: where the teacher pass stands. */
  resume?: { before: EvalSummary; next: number; demos: Demo[] };
  /** The dataset as the optimizer read it, for the saved version's provenance. */
  dataset?: { name: string; updatedAt: string; examples: { train: number; dev: number; test: number } };
  /** BootstrapFewShot when absent. */
  optimizer?: 'bootstrap' | 'mipro' | 'gepa';
  /** MIPROv2's and GEPA's settings. */
  search?: SearchOptions;
  /** Set on a continued execution of a search: its proposals and trials (MIPROv2) or its pool (GEPA). */
  state?: MiproState | GepaState;
}

export type Demo = { inputs: Record<string, unknown>; outputs: Record<string, unknown>; augmented?: true };

/** The component as the teacher runs it: its current version, plan and target. */
export interface Teacher {
  plan: ReturnType<typeof componentPlan>;
  target: { type: 'component'; id: string; name: string; version: number };
}

/** What the optimization's steps share: its input, the teacher and the activities they call. */
export interface Optimization {
  input: OptimizeRunInput;
  teacher: Teacher;
  scoring: ActivityInterfaceFor<Activities>;
  saving: ActivityInterfaceFor<Activities>;
  lookup: LocalActivityInterfaceFor<Activities>;
}

export interface SearchOptions {
  seed: number;
  /** MIPROv2: instructions and demo sets to choose among, the current ones included. */
  candidates: number;
  /** MIPROv2: minibatch trials; GEPA: iterations at most. */
  trials: number;
  minibatch: number;
  /** MIPROv2: the best minibatch combination is scored on all of dev every this many trials. */
  fullEvalEvery: number;
  budget: Budget;
  /** Who proposes and reflects: the component's provider and model unless named. */
  proposer: Proposer;
  /** The held-out split's examples (test), which the search never sees: the verdict's. */
  held: string[];
}

export interface Budget {
  maxCandidates?: number | undefined;
  maxCostUsd?: number | undefined;
  maxTokens?: number | undefined;
}

/** What the search has spent so far, carried across continue-as-new. */
export interface Spent {
  costUsd: number;
  tokens: number;
  candidates: number;
  /** Budgets a person granted beyond the first: each limit counts that many times more. */
  extended: number;
  /** What was spent before the first candidate (the current program's eval, demo sets, proposals): not a candidate's cost. */
  setup?: { costUsd: number; tokens: number };
}

export type Score = Pick<Aggregate, 'mean' | 'ci95'>;

export interface MiproState {
  instructions: string[];
  demoSets: Demo[][];
  /** Minibatch trials, in order: [instruction, demo set] and the minibatch mean. */
  trials: Trial[];
  /** Full evaluations on dev: trial 0 is the current program. */
  full: Array<Trial & Score>;
  spent: Spent;
}

export interface GepaCandidate extends Score {
  instruction: string;
  /** The candidate it was reflected from (null: the current program). */
  parent: number | null;
  /** Its score per dev example: the Pareto fronts are made of these. */
  scores: Record<string, number>;
}

export interface GepaState {
  pool: GepaCandidate[];
  /** The next iteration. */
  iteration: number;
  spent: Spent;
}
