// The `assertions` metric on one example: the metric's own assertions (every example's), then the example's
// (kept in its metadata by a promptfoo import), checked on its answer. 1 when every one passes, else 0.
import vm from 'node:vm';
import {
  assertionSpec,
  checkPlain,
  DEFAULT_EMBEDDING_MODEL,
  regexVerdict,
  similarVerdict,
  functionBody,
  javascriptVerdict,
  renderedValue,
  rubricVerdict,
  splitType,
  testPassed,
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
import type { ResolvedProvider } from '../providers/registry.js';

type Deps = {
  store: Store;
  callModel: CallModel;
  tools: ToolsConfig;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
};
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
  if (base === 'similar') return checkSimilar(deps, m, a, facts);
  if (base === 'regex') return checkRegex(a, facts);
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

/** How long a regex assertion's pattern may take on one answer: a pattern that backtracks without end stops here. */
const REGEX_MS = 1_000;

/** A regex assertion, matched in its own context with a time limit: the pattern and the answer both come from outside. */
function checkRegex(a: Assertion, facts: { output: string; vars: Record<string, unknown> }): AssertionResult {
  const pattern = String(renderedValue(a, facts.vars));
  try {
    const matched = vm.runInNewContext(
      'new RegExp(pattern).test(subject)',
      { pattern, subject: facts.output },
      { timeout: REGEX_MS },
    ) as boolean;
    return regexVerdict(a, matched, pattern);
  } catch (err) {
    const timedOut = (err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
    const reason = timedOut
      ? `the pattern took over ${REGEX_MS / 1000} s on this answer (it backtracks without end): simplify it`
      : `the pattern cannot be used: ${(err as Error).message}`;
    return { type: a.type, pass: false, score: 0, reason };
  }
}

/** The answer and the expected texts embedded by the assertion's provider (else the metric's grader), compared by cosine. */
async function checkSimilar(
  deps: Deps,
  m: MetricSpec,
  a: Assertion,
  facts: { output: string; vars: Record<string, unknown> },
): Promise<AssertionResult> {
  const name = a.provider ?? m.args?.provider;
  const fail = (reason: string) => ({ type: a.type, pass: false, score: 0, reason });
  if (!name) return fail('similar needs an embedding provider: name one on the assertion or as the grader');
  const resolved = await deps.resolveProvider(name);
  if (!resolved.provider.embed) return fail(`provider '${name}' has no embeddings API`);
  const value = renderedValue(a, facts.vars);
  const expected = (Array.isArray(value) ? value : [value]).map(String);
  const [answer, ...others] = await resolved.provider.embed(
    [facts.output, ...expected],
    a.model ?? DEFAULT_EMBEDDING_MODEL,
  );
  return similarVerdict(a, answer!, others);
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
  return { score: testPassed(all, results) ? 1 : 0, results, judged };
}
