// `harness eval gate`: evaluate a candidate (and its baseline, when that is a label or version) on a dataset, then
// pass or fail it on required levels and on no regression against the baseline; exit 0 or 1 for CI.
import fs from 'node:fs';
import type { Command } from 'commander';
import { gateChecks, gateMetrics, gateReport, junitXml, parseRequirement } from '../../core/eval-gate.js';
import { DEFAULT_SPLIT } from '../../core/dataset-import.js';
import type { Finding, PairedComparison } from '../../core/paired-comparison.js';
import { parseVersionRef, versionRef } from '../../core/run-story/ids.js';
import { api, CliError, followRun } from '../client.js';

interface GateOptions {
  dataset: string;
  split: string;
  variant: string;
  baseline?: string;
  pipeline?: boolean;
  require: string[];
  /** `--no-regression`'s metrics (commander names a `--no-` option by what follows it). */
  regression: string[];
  metric: string[];
  junit?: string;
  concurrency: string;
  repeats: string;
}

/** A run id (an optimizer's candidate evals too: `run_…-candidate-…`). */
const RUN_ID = /^run_[0-9a-z_-]+$/;

/** Start an eval of `target` and wait for it to end; its run, which must have completed. */
async function evaluate(body: Record<string, unknown>, what: string) {
  const started = await api('POST', '/api/evals', body);
  await followRun(started.id, () => undefined);
  const run = await api('GET', `/api/runs/${started.id}`);
  if (run.status !== 'completed')
    throw new CliError(`the ${what} eval ${run.id} ${run.status}: ${JSON.stringify(run.error ?? run.outputs)}`);
  return run;
}

/** The checks the options ask for, and what to evaluate: a bad option is a CliError before any eval starts. */
function plan(o: GateOptions) {
  let requirements;
  try {
    requirements = o.require.map(parseRequirement);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (!requirements.length && !o.regression.length)
    throw new CliError('a gate needs at least one --require or --no-regression check');
  const variant = parseVersionRef(o.variant);
  if (!variant) throw new CliError(`--variant takes name, name@version or name@label, got '${o.variant}'`);
  if (o.regression.length && !o.baseline) throw new CliError('--no-regression needs a --baseline');
  // A run id is a past eval to compare with; anything else names a version of the variant's own target.
  const baselineRef =
    !o.baseline || RUN_ID.test(o.baseline)
      ? undefined
      : o.baseline.includes('@')
        ? o.baseline
        : versionRef(variant.name, o.baseline);
  if (baselineRef && !parseVersionRef(baselineRef))
    throw new CliError(`--baseline takes an eval run id, a label, a version or name@label, got '${o.baseline}'`);
  const kind = o.pipeline ? 'pipeline' : 'component';
  const metrics = gateMetrics(requirements, o.regression, o.metric);
  const evalOf = (ref: string) => ({
    dataset: o.dataset,
    split: o.split,
    target: { [kind]: ref },
    metrics,
    concurrency: Number(o.concurrency),
    repeats: Number(o.repeats),
  });
  return { requirements, variant, baselineRef, evalOf };
}

type Compared = Record<string, { verdicts: Array<Finding | null>; tests: Array<PairedComparison | null> }>;

/** The candidate's means and, per metric, the paired test's finding against the baseline (the compare's second column). */
function measured(candidate: { outputs?: { aggregates?: Record<string, { mean: number }> } }, compared: Compared) {
  return {
    means: Object.fromEntries(Object.entries(candidate.outputs?.aggregates ?? {}).map(([k, a]) => [k, a.mean])),
    findings: Object.fromEntries(
      Object.entries(compared).map(([k, a]) => [
        k,
        a.tests[1] && a.verdicts[1] ? { finding: a.verdicts[1], test: a.tests[1] } : null,
      ]),
    ),
  };
}

/** A past eval given as the baseline, checked before anything runs: an eval that completed. */
async function pastEval(id: string) {
  const run = await api('GET', `/api/runs/${encodeURIComponent(id)}`);
  if (run.kind !== 'eval') throw new CliError(`--baseline ${id} is a ${run.kind} run, not an eval`);
  if (run.status !== 'completed')
    throw new CliError(`--baseline ${id} is an eval that ${run.status}, not one that completed`);
  return run;
}

async function gate(o: GateOptions): Promise<void> {
  const started = Date.now();
  const { requirements, variant, baselineRef, evalOf } = plan(o);
  const past = o.baseline && !baselineRef ? await pastEval(o.baseline) : undefined;
  console.log(`gate: ${versionRef(variant.name, variant.version ?? variant.label)} on ${o.dataset}/${o.split}`);
  const [candidate, baseline] = await Promise.all([
    evaluate(evalOf(o.variant), 'candidate'),
    baselineRef ? evaluate(evalOf(baselineRef), 'baseline') : past,
  ]);
  const cmp = baseline
    ? await api('GET', `/api/evals/compare?runs=${baseline.id},${candidate.id}&baseline=${baseline.id}`)
    : { columns: [], aggregates: {} };
  const ran = (
    role: 'candidate' | 'baseline',
    run: { outputs?: { examples?: number; results?: number; errors?: number } },
  ) => ({
    role,
    // With repeats, every run of an example is a result that may have errored.
    examples: run.outputs?.results ?? run.outputs?.examples ?? 0,
    errors: run.outputs?.errors ?? 0,
  });
  const checks = gateChecks({
    evals: [ran('candidate', candidate), ...(baseline ? [ran('baseline', baseline)] : [])],
    requirements,
    noRegression: o.regression,
    ...measured(candidate, cmp.aggregates),
  });
  const header = baseline
    ? [
        `candidate ${cmp.columns[1]}: eval ${candidate.id}`,
        `baseline  ${cmp.columns[0]}: eval ${baseline.id}`,
        `compare:  /ui/evals/compare?runs=${baseline.id},${candidate.id}`,
      ]
    : [`candidate ${versionRef(candidate.target.name, candidate.target.version)}: eval ${candidate.id}`];
  console.log(gateReport(header, checks));
  if (o.junit)
    fs.writeFileSync(o.junit, junitXml(`gate ${o.variant} on ${o.dataset}`, checks, (Date.now() - started) / 1000));
  if (checks.some((c) => !c.passed)) process.exitCode = 1;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function evalGateCommand(evalCommand: Command): void {
  evalCommand
    .command('gate')
    .description('evaluate a candidate against required levels and its baseline; exit 1 when a check fails (for CI)')
    .requiredOption('-d, --dataset <name>', 'dataset')
    .requiredOption('--variant <ref>', 'the candidate: name, name@version or name@label')
    .option('--baseline <label|run>', 'a label or version of the same target, name@label, or a past eval run id')
    .option('--pipeline', 'the variant and baseline name pipelines (components otherwise)')
    .option('-s, --split <split>', 'split', DEFAULT_SPLIT)
    .option('--require <check>', "a metric's required mean, e.g. 'contains:answer>=0.8' (repeatable)", collect, [])
    .option('--no-regression <metric>', 'fail when this metric is worse than the baseline (repeatable)', collect, [])
    .option('-m, --metric <metric>', 'another metric to score and report (repeatable)', collect, [])
    .option('--junit <file>', 'also write the checks as JUnit XML')
    .option('--concurrency <n>', 'examples at once', '4')
    .option('--repeats <n>', 'run each example n times (the paired test compares their means)', '1')
    .action((o: GateOptions) => gate(o));
}
