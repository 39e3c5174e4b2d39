// The `assertions` metric on one example: the metric's own assertions (every example's), then the example's
// (kept in its metadata by a promptfoo import), checked on its answer. 1 when every one passes, else 0.
import {
  assertionSpec,
  checkPlain,
  functionBody,
  javascriptVerdict,
  renderedValue,
  rubricVerdict,
  splitType,
  type Assertion,
  type AssertionResult,
} from '../core/assertions.js';
import { metricKey, type MetricSpec } from '../core/metrics.js';
import type { ToolsConfig } from '../config/index.js';
import type { Store } from '../db/knex.js';
import { exampleMetadata } from '../db/repositories/datasets.js';
import { callTotals } from '../db/repositories/overview-calls.js';
import { runAssertionCode } from './assertion-code.js';
import { addUsage, askJudge, rubricMessages, type Graded, type JudgedUsage } from './judge.js';
import type { CallModel } from './llm/model-call.js';

type Deps = { store: Store; callModel: CallModel; tools: ToolsConfig };
type Scored = Graded & { childRunId: string };

/** The example's own assertions, as an import kept them (`metadata.assert`); a malformed one is reported, not skipped. */
function ownAssertions(metadata: Record<string, unknown> | null): { list: Assertion[]; problem?: string } {
  const raw = metadata?.assert;
  if (raw === undefined) return { list: [] };
  const parsed = assertionSpec.array().safeParse(raw);
  return parsed.success
    ? { list: parsed.data }
    : { list: [], problem: `the example's assertions are malformed: ${parsed.error.issues[0]?.message}` };
}

/** The answer as text, as promptfoo grades it: the metric's field, the only output, or all outputs as JSON. */
function answerText(m: MetricSpec, outputs: Record<string, unknown>): string {
  const keys = Object.keys(outputs);
  const value = m.field ? outputs[m.field] : keys.length === 1 ? outputs[keys[0]!] : outputs;
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

async function checkOne(
  deps: Deps,
  graded: Scored,
  m: MetricSpec,
  a: Assertion,
  at: number,
  facts: { output: string; vars: Record<string, unknown>; latencyMs?: number; costUsd?: number },
  judged: JudgedUsage,
): Promise<AssertionResult> {
  const { base } = splitType(a.type);
  if (base === 'javascript') {
    const ran = await runAssertionCode(deps.tools, functionBody(String(renderedValue(a, facts.vars))), facts.output, {
      vars: facts.vars,
    });
    return ran.ok
      ? javascriptVerdict(a, ran.value)
      : { type: a.type, pass: false, score: 0, reason: `the code failed: ${ran.error}` };
  }
  if (base === 'llm-rubric') {
    const j = await askJudge(deps.callModel, graded, {
      metric: `${metricKey(m)}#${at}`,
      provider: m.args?.provider,
      model: m.args?.model,
      messages: rubricMessages(String(renderedValue(a, facts.vars)), `Answer: ${facts.output}`),
    });
    addUsage(judged, { ...j.usage, costUsd: j.costUsd });
    return rubricVerdict(a, j.score, j.reasoning);
  }
  return checkPlain(a, facts);
}

/** Every assertion on one example's answer: each one's verdict, the example's score (all pass: 1), what judging cost. */
export async function checkAssertions(
  deps: Deps,
  graded: Scored,
  m: MetricSpec,
  outputs: Record<string, unknown>,
): Promise<{ score: number; results: AssertionResult[]; judged: JudgedUsage }> {
  const judged: JudgedUsage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const example = await exampleMetadata(deps.store, graded.exampleId);
  const own = ownAssertions(example?.metadata ?? null);
  const all = [...(m.args?.assert ?? []), ...own.list];
  if (own.problem || !all.length)
    return {
      score: 0,
      results: [{ type: 'assertions', pass: false, score: 0, reason: own.problem ?? 'the example has no assertions' }],
      judged,
    };
  // Latency and cost are the example run's model calls'; a run answered wholly from the step cache has neither.
  const calls = await callTotals(deps.store.knex, graded.childRunId);
  const facts = {
    output: answerText(m, outputs),
    // Values name the example's fields: its inputs (promptfoo's vars) and its expected answer (an OpenAI grader's reference).
    vars: { ...example?.expected, ...example?.inputs },
    ...(calls.calls ? { latencyMs: calls.latencyMs, costUsd: calls.costUsd } : {}),
  };
  const results: AssertionResult[] = [];
  for (const [i, a] of all.entries()) results.push(await checkOne(deps, graded, m, a, i, facts, judged));
  return { score: results.every((r) => r.pass) ? 1 : 0, results, judged };
}
