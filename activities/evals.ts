// Side effects of evals and optimization: child-run rows, scoring (an LLM judge too), totals, new versions.
import { ApplicationFailure } from '@temporalio/activity';
import { aggregateByExample, metricKey, scoreExample, type Aggregate, type MetricSpec } from '../core/metrics.js';
import type { EvalExampleSource } from '../core/dataset-import.js';
import {
  planFork,
  recordedReuse,
  type ForkRequest,
  type RecordedStep,
  type RunDefinition,
  type StepReuse,
} from '../core/fork.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { PipelinePlan } from '../core/pipeline-plan.js';
import { exampleRunId } from '../core/run-story/ids.js';
import { recordEvaluation } from './telemetry.js';
import type { ComponentSpec, RunKind } from '../core/specs.js';
import type { Store } from '../db/knex.js';
import type { RunTarget } from '../db/models/run.js';
import {
  childRunOf,
  evalExampleAt,
  examplesById,
  hasFinishedResult,
  listEvalResults,
  reusedSteps,
  saveEvalResult,
  snapshotEvalExamples,
  type EvalResultRow,
} from '../db/repositories/datasets.js';
import { getRunDefinition, saveRunDefinition } from '../db/repositories/run-definitions.js';
import { ensureRun, getRun, setUsage, stepRecords } from '../db/repositories/runs.js';
import { components } from '../db/repositories/versioned.js';
import type { ToolsConfig } from '../config/index.js';
import { checkAssertions } from './assertions.js';
import { beating } from './heartbeat.js';
import { addUsage, askJudge, rubricMessages, type JudgedUsage } from './judge.js';
import type { CallModel } from './llm/model-call.js';
import type { ResolvedProvider } from '../providers/registry.js';

export interface ScoreInput {
  evalRunId: string;
  exampleId: string;
  /** Which run of the example, when the eval repeats examples (absent: the first). */
  repeat?: number;
  childRunId: string;
  outputs: Record<string, unknown> | null;
  expected: Record<string, unknown>;
  metrics: MetricSpec[];
  error: string | null;
}

type EvalUsage = JudgedUsage;
type EvalDeps = {
  store: Store;
  callModel: CallModel;
  tools: ToolsConfig;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
};

/** The llm_judge's rubric and what it grades: the expected answer and the given one (the metric's field, or all). */
function judgeMessages(input: ScoreInput, m: MetricSpec, outputs: Record<string, unknown>) {
  const rubric = m.args?.rubric ?? 'Is the answer correct and complete compared with the expected answer?';
  return rubricMessages(
    rubric,
    `Expected: ${JSON.stringify(m.field ? input.expected[m.field] : input.expected)}\nAnswer: ${JSON.stringify(m.field ? outputs[m.field] : outputs)}`,
  );
}

/** Every metric's score of one example, the judges' reasoning, and what the judging cost. */
async function scoreMetrics(deps: EvalDeps, input: ScoreInput) {
  const scores: Record<string, number> = {};
  const details: Record<string, unknown> = {};
  const judged: EvalUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const m of input.metrics) {
    const key = metricKey(m);
    if (!input.outputs) scores[key] = 0;
    else if (m.name === 'assertions') {
      const checked = await checkAssertions(deps, input, m, input.outputs);
      scores[key] = checked.score;
      details[key] = { assertions: checked.results };
      addUsage(judged, checked.judged);
    } else if (m.name !== 'llm_judge') scores[key] = scoreExample(m, input.outputs, input.expected);
    else {
      const j = await askJudge(deps.callModel, input, {
        metric: key,
        provider: m.args?.provider,
        model: m.args?.model,
        messages: judgeMessages(input, m, input.outputs),
      });
      scores[key] = j.score;
      details[key] = { reasoning: j.reasoning };
      addUsage(judged, { ...j.usage, costUsd: j.costUsd });
    }
  }
  return { scores, details, judged };
}

/** The eval run's token and cost totals, the sum over its examples' results, set on its run row. */
async function storeUsage(store: Store, evalRunId: string, rows: EvalResultRow[]): Promise<EvalUsage> {
  const usage = rows.reduce(
    (u, r) => ({
      inputTokens: u.inputTokens + r.inputTokens,
      outputTokens: u.outputTokens + r.outputTokens,
      costUsd: u.costUsd + r.costUsd,
    }),
    { inputTokens: 0, outputTokens: 0, costUsd: 0 },
  );
  await setUsage(store, evalRunId, usage);
  return usage;
}

/** Scoring an example and keeping its result: the example's cost is its run's plus its judging. */
function createScoring(deps: EvalDeps) {
  return {
    async scoreExample(input: ScoreInput): Promise<{ scores: Record<string, number> }> {
      const { scores, details, judged } = await scoreMetrics(deps, input);
      const child = await getRun(deps.store, input.childRunId).catch(() => undefined);
      await saveEvalResult(deps.store, input.evalRunId, {
        exampleId: input.exampleId,
        repeat: input.repeat ?? 0,
        childRunId: input.childRunId,
        outputs: input.outputs,
        scores,
        details: Object.keys(details).length ? details : null,
        error: input.error,
        inputTokens: Number(child?.inputTokens ?? 0) + judged.inputTokens,
        outputTokens: Number(child?.outputTokens ?? 0) + judged.outputTokens,
        costUsd: Number(child?.costUsd ?? 0) + judged.costUsd,
      });
      recordEvaluation(scores, { runId: input.evalRunId, exampleId: input.exampleId });
      return { scores };
    },

    /** The eval run's token and cost totals: the sum over its examples (their runs and their judging). */
    async totalEvalUsage(input: { evalRunId: string }): Promise<EvalUsage> {
      return beating(async () =>
        storeUsage(deps.store, input.evalRunId, await listEvalResults(deps.store, input.evalRunId)),
      );
    },

    /** The eval's result from its stored per-example results: every segment's examples count, not only the last one's. */
    async summarizeEval(input: { evalRunId: string; metrics: MetricSpec[]; forked?: boolean }): Promise<{
      examples: number;
      errors: number;
      aggregates: Record<string, Aggregate>;
      usage: EvalUsage;
      results?: number;
      reusedSteps?: number;
    }> {
      return beating(async () => {
        const rows = await listEvalResults(deps.store, input.evalRunId);
        const aggregates = Object.fromEntries(
          input.metrics.map((m) => [metricKey(m), aggregateByExample(rows, metricKey(m))]),
        );
        const usage = await storeUsage(deps.store, input.evalRunId, rows);
        const examples = new Set(rows.map((r) => r.exampleId)).size;
        return {
          examples,
          // Repeats are kept as results of their own: how many there are, and how many errored.
          ...(rows.length > examples ? { results: rows.length } : {}),
          errors: rows.filter((r) => r.error !== null).length,
          aggregates,
          usage,
          // A fork's saving: the steps its examples took from the source's records instead of calling.
          ...(input.forked ? { reusedSteps: await reusedSteps(deps.store, input.evalRunId) } : {}),
        };
      });
    },
  };
}

type Example = { id: string; inputs: Record<string, unknown>; expected: Record<string, unknown> };
const gone = (id: string) =>
  ApplicationFailure.nonRetryable(
    `example '${id}' no longer exists (deleted from its dataset while the run went on)`,
    'NotFound',
  );

/** An eval's examples: fixed once in the store, then read one at a time (workflows carry positions and ids only). */
function createExamples(deps: EvalDeps) {
  return {
    /** Fix the eval's examples in the store (once): its workflow then carries a position, not the ids. */
    async snapshotEvalExamples(input: { evalRunId: string; source: EvalExampleSource }): Promise<{ total: number }> {
      return beating(async () => ({
        total: await snapshotEvalExamples(deps.store, input.evalRunId, input.source),
      }));
    },

    /**
     * The eval's example at a position. Given a repeat, `done` when the eval already holds a finished result for
     * it (a resume of a repeated eval kept it): that repeat is not run again.
     */
    async loadEvalExample(input: {
      evalRunId: string;
      position: number;
      repeat?: number;
    }): Promise<Example & { done?: true }> {
      const at = await evalExampleAt(deps.store, input.evalRunId, input.position);
      if (!at)
        throw ApplicationFailure.nonRetryable(
          `eval '${input.evalRunId}' has no example at position ${input.position}`,
          'NotFound',
        );
      if (!at.example) throw gone(at.exampleId);
      if (
        input.repeat !== undefined &&
        (await hasFinishedResult(deps.store, input.evalRunId, at.exampleId, input.repeat))
      )
        return { ...at.example, done: true };
      return at.example;
    },

    /** One example by id: workflows carry ids only, so a large dataset stays within payload limits. */
    async loadExample(input: { exampleId: string }): Promise<Example> {
      const row = (await examplesById(deps.store, [input.exampleId])).get(input.exampleId);
      if (!row) throw gone(input.exampleId);
      return row;
    },
  };
}

/** The steps a run recorded, by step id. */
async function recordsOf(store: Store, runId: string): Promise<Map<string, RecordedStep>> {
  const records = new Map<string, RecordedStep>();
  for (const [id, r] of await stepRecords(store, runId)) records.set(id, r.data as unknown as RecordedStep);
  return records;
}

/**
 * A source eval's run of an example and repeat: the run its result points at (a resume's kept result points at its
 * source's), or the one it started; the row, when there is one.
 */
async function sourceRunOf(store: Store, sourceRunId: string, exampleId: string, repeat: number) {
  const childRunId =
    (await childRunOf(store, sourceRunId, exampleId, repeat)) ?? exampleRunId(sourceRunId, exampleId, repeat);
  return { childRunId, child: await getRun(store, childRunId).catch(() => undefined) };
}

/** An example (and repeat) of an eval run again from a source eval, with the plan it runs now. */
type ExampleOfSource = {
  sourceRunId: string;
  plan: PipelinePlan;
  example: Pick<Example, 'id' | 'inputs'>;
  repeat?: number;
};

/** A forked eval's examples: what each takes from the source eval's run of it; a resumed eval's, from its own. */
function createForks(deps: EvalDeps) {
  return {
    /**
     * What one example of a resumed eval takes from the source's run of it that was cut short (cancelled, or its
     * worker lost after a call): every step it recorded, unless the example's inputs changed since.
     */
    async planExampleResume(input: ExampleOfSource): Promise<{ reuse: Record<string, StepReuse> }> {
      const { sourceRunId, example } = input;
      const repeat = input.repeat ?? 0;
      const { childRunId, child } = await sourceRunOf(deps.store, sourceRunId, example.id, repeat);
      if (!child || canonicalJson(child.inputs) !== canonicalJson(example.inputs)) return { reuse: {} };
      return { reuse: recordedReuse(childRunId, input.plan, await recordsOf(deps.store, childRunId)) };
    },

    /**
     * What one example of a forked eval takes from the source eval's run of it: the steps the fork's change
     * does not reach answer with their recorded outputs. An input edited in the dataset since counts as a change;
     * an example the source never ran runs whole.
     */
    async planExampleFork(
      input: ExampleOfSource & { request: ForkRequest },
    ): Promise<{ reuse: Record<string, StepReuse> }> {
      const { sourceRunId, example } = input;
      const repeat = input.repeat ?? 0;
      const def = await getRunDefinition<RunDefinition>(deps.store, sourceRunId);
      // The source was deleted while the fork ran: nothing recorded to reuse, the example runs whole.
      if (def?.kind !== 'plan') return { reuse: {} };
      // The source's run of the same repeat (a fork of a repeated eval keeps each repeat's own sample).
      const { childRunId, child } = await sourceRunOf(deps.store, sourceRunId, example.id, repeat);
      const records = child ? await recordsOf(deps.store, childRunId) : new Map<string, RecordedStep>();
      // The fork's plan holds every component version its overrides name.
      const components = new Map(input.plan.steps.map((s) => [s.component.ref, s.component]));
      // A field the example no longer has is a change too (null stands for it: the fork merges inputs over the source's).
      const before = child?.inputs ?? {};
      const inputs = { ...Object.fromEntries(Object.keys(before).map((k) => [k, null])), ...example.inputs };
      const fork = planFork(
        { runId: childRunId, plan: def.plan, inputs: before, records },
        { ...input.request, overrides: { ...input.request.overrides, inputs } },
        (ref) => components.get(ref),
      );
      return { reuse: fork.reuse };
    },
  };
}

export function createEvalActivities(deps: EvalDeps) {
  return {
    /** A child run's row (an example, or a sub-eval), created once whatever the retries; `parent` (`eval:<runId>`, `optimize:<runId>`) is its origin, so listings group it under its parent. */
    async prepareChildRun(input: {
      childRunId: string;
      kind: RunKind;
      target: RunTarget;
      inputs: Record<string, unknown>;
      parent?: string;
      /** What it runs, kept for a resume or fork of it (an experiment's cell). */
      definition?: RunDefinition;
    }): Promise<void> {
      await ensureRun(deps.store, {
        id: input.childRunId,
        kind: input.kind,
        target: input.target,
        inputs: input.inputs,
        ...(input.parent ? { origin: input.parent } : {}),
      });
      if (input.definition) await saveRunDefinition(deps.store, input.childRunId, input.definition);
    },
    ...createScoring(deps),
    ...createExamples(deps),
    ...createForks(deps),

    /** Keyed by the workflow: an attempt whose completion was lost finds the version it saved. */
    async saveComponentVersion(input: {
      name: string;
      spec: ComponentSpec;
      idempotencyKey: string;
      /** An optimizer's: the run, the dataset, the metric, the scores before and after. */
      provenance?: Record<string, unknown>;
    }): Promise<{ version: number }> {
      const { name, spec, idempotencyKey, provenance } = input;
      return { version: await components.addVersionOnce(deps.store, name, spec, idempotencyKey, provenance) };
    },
  };
}
