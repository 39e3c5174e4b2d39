// `harness optimize`: BootstrapFewShot, MIPROv2 or GEPA on a component, with a live line per trial and the verdict.
import type { Command } from 'commander';
import { api, CliError } from '../client.js';
import { parseMetric } from './evals.js';
import { followAsking } from './run.js';

const BUDGET_KEYS = { candidates: 'maxCandidates', usd: 'maxCostUsd', tokens: 'maxTokens' } as const;

/** `candidates=8,usd=0.5,tokens=20000` -> the API's budget; any other key or a bad number is refused by name. */
export function parseBudget(text: string): Record<string, number> {
  const budget: Record<string, number> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    const key = BUDGET_KEYS[k?.trim() as keyof typeof BUDGET_KEYS];
    const n = Number(v);
    if (!key) throw new CliError(`--budget takes candidates=N, usd=X and tokens=N; got '${part}'`);
    if (!v || !Number.isFinite(n) || n <= 0)
      throw new CliError(`--budget ${k} needs a positive number; got '${v ?? ''}'`);
    budget[key] = n;
  }
  return budget;
}

/** The optimizer's verdict in a line: the version it saved, or the one it kept. */
function optimizeVerdict(o: Record<string, unknown>): string {
  const scores = `(${Number(o.before).toFixed(3)} → ${Number(o.after).toFixed(3)})`;
  return o.saved === false
    ? `no improvement: kept ${String(o.kept)} ${scores}`
    : `saved version ${String(o.version)} ${scores}`;
}

const f3 = (v: unknown) => Number(v).toFixed(3);

/**
 * One line per finished step of the search: a MIPROv2 trial's choice and minibatch score, a GEPA iteration's parent
 * and proposal, a teacher run's score.
 */
export function progressLine(stepId: string, o: Record<string, unknown>): string {
  if (o.skipped !== undefined)
    return `${stepId}: parent ${String(o.parent)} ${f3(o.old)}, skipped: ${String(o.skipped)}`;
  if (o.parent !== undefined)
    return `${stepId}: parent ${String(o.parent)} ${f3(o.old)} → proposal ${f3(o.new)}${
      o.accepted ? `, accepted as candidate ${String(o.candidate)} (dev ${f3(o.val)})` : ', rejected'
    }`;
  if (o.instruction !== undefined)
    return `${stepId}: instruction ${String(o.instruction)} × demo set ${String(o.demoSet)}: ${f3(o.score)} on ${String(o.examples)} examples`;
  return `${stepId}: ${f3(o.score)}${o.accepted ? `, a demo (${String(o.demos)} so far)` : ''}`;
}

/** Follow the search: a line per trial; past its budget, ask on standard input whether to grant another. */
function followSearch(runId: string): Promise<void> {
  return followAsking(
    runId,
    (e) => {
      if (e.type === 'step.completed' && /^(trial|candidate):/.test(e.data.stepId) && e.data.outputs)
        console.log(progressLine(e.data.stepId, e.data.outputs as Record<string, unknown>));
    },
    ({ args }) => `past the budget: ${String((args as { why?: string } | null)?.why)}. Grant another budget?`,
  );
}

interface OptimizeOptions {
  component: string;
  dataset: string;
  metric: string;
  k: string;
  optimizer: string;
  seed?: string;
  trials?: string;
  budget?: string;
}

export function optimizeCommand(program: Command): void {
  program
    .command('optimize')
    .description('improve a component on a dataset; a new version only when it beats the current one on held-out data')
    .requiredOption('-c, --component <name[@v]>', 'component to improve')
    .requiredOption('-d, --dataset <name>', 'dataset with train and dev examples (and test, held out)')
    .option('-m, --metric <name[:field]>', 'metric', 'exact_match')
    .option('-o, --optimizer <name>', 'bootstrap, mipro or gepa', 'bootstrap')
    .option('-k, --k <n>', 'demos at most', '4')
    .option('--seed <n>', 'MIPROv2 and GEPA: the same seed gives the same search')
    .option('--trials <n>', 'MIPROv2: trials; GEPA: iterations')
    .option('--budget <limits>', 'candidates=N,usd=X,tokens=N: stop there and keep the best so far')
    .action(async (o: OptimizeOptions) => {
      if (!['bootstrap', 'mipro', 'gepa'].includes(o.optimizer))
        throw new CliError(`--optimizer is bootstrap, mipro or gepa; got '${o.optimizer}'`);
      const int = (v: string | undefined, name: string) => {
        if (v === undefined) return undefined;
        if (!/^\d+$/.test(v)) throw new CliError(`--${name} needs a whole number; got '${v}'`);
        return Number(v);
      };
      const run = await api('POST', '/api/optimizations', {
        component: o.component,
        dataset: o.dataset,
        metric: parseMetric(o.metric),
        k: int(o.k, 'k'),
        optimizer: o.optimizer,
        ...(o.seed !== undefined ? { seed: int(o.seed, 'seed') } : {}),
        ...(o.trials !== undefined ? { trials: int(o.trials, 'trials') } : {}),
        ...(o.budget !== undefined ? { budget: parseBudget(o.budget) } : {}),
      });
      console.log(`optimization ${run.id} started (${o.optimizer})`);
      await followSearch(run.id);
      const done = await api('GET', `/api/runs/${run.id}`);
      console.log(`${done.status}: ${JSON.stringify(done.outputs ?? done.error, null, 2)}`);
      if (done.status !== 'completed') process.exitCode = 1;
      else if (done.outputs) console.log(optimizeVerdict(done.outputs));
    });
}
