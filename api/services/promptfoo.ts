// A promptfoo config in: a dataset of its tests, a text-template component per prompt, and an experiment of every
// prompt × provider (an eval when there is one of each) scored by its assertions. Everything is checked before
// anything is written. (Out: promptfoo-export.ts.)
import { z } from 'zod';
import { DEFAULT_SPLIT } from '../../core/dataset-import.js';
import { SpecError, type Problem } from '../../core/errors.js';
import type { Assertion } from '../../core/assertions.js';
import type { MetricSpec } from '../../core/metrics.js';
import { parsePromptfoo, type PromptfooConfig, type PromptfooProvider } from '../../core/promptfoo.js';
import { NAME, type ComponentSpec } from '../../core/specs.js';
import { templateFields } from '../../core/template.js';
import { audit } from '../../db/repositories/audit.js';
import * as ds from '../../db/repositories/datasets.js';
import { listProviders } from '../../db/repositories/providers.js';
import { components } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { startEval } from './evals.js';
import { MAX_VARIANTS, startExperiment } from './experiments.js';
import { checkComponent } from './specs.js';

export const promptfooImportBody = z.strictObject({
  /** The config's text (YAML or JSON); the API takes bodies up to 2 MB. */
  config: z.string().min(1).max(2_000_000),
  /** Names the dataset, and prefixes each prompt's component (`<name>-p1`, …). */
  name: NAME,
  /** A promptfoo provider id (or label) -> the harness's provider to run it on, where finding it is ambiguous. */
  providers: z.record(z.string(), NAME).default({}),
  concurrency: z.int().min(1).max(32).default(4),
  /** Import only: create the dataset and components, start nothing. */
  start: z.boolean().default(true),
});

type OurProvider = { name: string; type: string; baseUrl: string | null };

const trimSlash = (u: string) => u.replace(/\/+$/, '');

/** The harness's provider for a promptfoo provider: named in the request, else the one of its type at its URL, else the only one of its type. */
function matchProvider(p: PromptfooProvider, ours: OurProvider[], named: Record<string, string>): string | Problem {
  const explicit = named[p.id] ?? (p.label ? named[p.label] : undefined);
  const where = `providers.${p.label ?? p.id}`;
  if (explicit) {
    const found = ours.find((o) => o.name === explicit);
    if (!found) return { path: where, message: `no provider named '${explicit}'` };
    return found.name;
  }
  const ofType = ours.filter((o) => o.type === p.type);
  const atUrl = p.baseUrl ? ofType.filter((o) => o.baseUrl && trimSlash(o.baseUrl) === trimSlash(p.baseUrl!)) : [];
  const candidates = atUrl.length ? atUrl : ofType;
  if (candidates.length === 1) return candidates[0]!.name;
  return {
    path: where,
    message: candidates.length
      ? `several ${p.type} providers could run '${p.id}' (${candidates.map((c) => c.name).join(', ')}): name one with providers: {"${p.id}": "<name>"}`
      : `no ${p.type} provider is set up for '${p.id}': add one, or name one with providers: {"${p.id}": "<name>"}`,
  };
}

/** The `assertions` metric: defaultTest's assertions on every example, graded by the config's grader. */
function assertionsMetric(c: PromptfooConfig, grader: string | undefined): MetricSpec {
  const args = {
    ...(c.defaultAssert.length ? { assert: c.defaultAssert } : {}),
    ...(grader ? { provider: grader, model: c.grader!.model } : {}),
  };
  return { name: 'assertions', ...(Object.keys(args).length ? { args } : {}) };
}

type ImportRequest = z.infer<typeof promptfooImportBody>;
/** What an import resolved before writing anything: the config, each provider's and the grader's harness provider. */
type ImportPlan = { req: ImportRequest; config: PromptfooConfig; runOn: string[]; grader?: string | undefined };

/** The config parsed and every name it needs found; a 400 naming each problem, before anything is written. */
async function planImport(ctx: AppContext, body: unknown): Promise<ImportPlan> {
  const req = promptfooImportBody.parse(body);
  const config = parsePromptfoo(req.config);
  const ours = await listProviders(ctx.store);
  const problems: Problem[] = [];
  const resolve = (p: PromptfooProvider) => {
    const r = matchProvider(p, ours, req.providers);
    if (typeof r === 'string') return r;
    problems.push(r);
    return '';
  };
  const runOn = config.providers.map(resolve);
  const grader = config.grader ? resolve(config.grader) : undefined;
  const embedders = new Map([...config.embedders].map(([id, p]) => [id, resolve(p)]));
  if (await ds.getDataset(ctx.store, req.name).catch(() => undefined))
    problems.push({ path: 'name', message: `a dataset named '${req.name}' exists: choose another name` });
  for (const i of config.prompts.keys())
    if (await components.head(ctx.store, `${req.name}-p${i + 1}`).catch(() => undefined))
      problems.push({ path: 'name', message: `a component named '${req.name}-p${i + 1}' exists: choose another name` });
  const variants = config.prompts.length * config.providers.length;
  if (variants > MAX_VARIANTS)
    problems.push({
      path: 'providers',
      message: `${config.prompts.length} prompts × ${config.providers.length} providers make ${variants} variants; an experiment compares at most ${MAX_VARIANTS}`,
    });
  if (problems.length) throw new SpecError('the promptfoo config was refused; nothing was imported', problems);
  return { req, config: withHarnessProviders(config, embedders), runOn, grader };
}

/** similar's providers, named by promptfoo id in the config, named by the harness provider that runs them. */
function withHarnessProviders(config: PromptfooConfig, embedders: Map<string, string>): PromptfooConfig {
  const rename = (list: Assertion[]) =>
    list.map((a) => (a.provider && embedders.has(a.provider) ? { ...a, provider: embedders.get(a.provider)! } : a));
  return {
    ...config,
    tests: config.tests.map((t) => ({ ...t, assert: rename(t.assert) })),
    defaultAssert: rename(config.defaultAssert),
  };
}

/** One variant runs as an eval, which has no per-variant params: they go into the component itself. */
const isSingle = (c: PromptfooConfig) => c.prompts.length * c.providers.length === 1;

/** Each prompt as a text-template component (checked), then saved: a new component, or a new version of it. */
async function saveComponents(ctx: AppContext, plan: ImportPlan): Promise<string[]> {
  const { config, req } = plan;
  const first = config.providers[0]!;
  const specs: ComponentSpec[] = [];
  for (const [i, p] of config.prompts.entries())
    specs.push(
      await checkComponent(ctx, {
        name: `${req.name}-p${i + 1}`,
        signature: `${templateFields(p.template).join(', ')} -> output`,
        adapter: 'text',
        template: p.template,
        provider: plan.runOn[0],
        model: first.model,
        ...(isSingle(config) && first.params ? { params: first.params } : {}),
      }),
    );
  const refs: string[] = [];
  for (const spec of specs) {
    const saved = await components.create(ctx.store, spec);
    refs.push(`${saved.name}@${saved.latestVersion}`);
  }
  return refs;
}

/** The tests as the dataset's examples: vars as inputs, each test's assertions (and description) in its metadata. */
async function saveDataset(ctx: AppContext, plan: ImportPlan) {
  const dataset = await ds.createDataset(ctx.store, {
    name: plan.req.name,
    description: plan.config.description ?? 'imported from a promptfoo config',
  });
  await ds.addExamples(
    ctx.store,
    dataset.id,
    plan.config.tests.map((t) => ({
      inputs: t.vars,
      expected: {},
      split: DEFAULT_SPLIT,
      metadata: { assert: t.assert, ...(t.description ? { promptfoo: { description: t.description } } : {}) },
    })),
  );
  return dataset;
}

/** Every prompt × provider: an experiment, or an eval when there is one of each. */
function startImported(ctx: AppContext, plan: ImportPlan, dataset: string, refs: string[]) {
  const { config, runOn, req } = plan;
  const metrics = [assertionsMetric(config, plan.grader)];
  if (isSingle(config))
    return startEval(ctx, {
      dataset,
      target: { component: refs[0] },
      override: { provider: runOn[0], model: config.providers[0]!.model },
      metrics,
      concurrency: req.concurrency,
    });
  const variants = config.prompts.flatMap((p, i) =>
    config.providers.map((pr, j) => ({
      target: { component: refs[i]! },
      override: { provider: runOn[j]!, model: pr.model },
      ...(pr.params ? { params: pr.params } : {}),
      label: `${p.label} · ${pr.label ?? pr.id}`,
    })),
  );
  // Labels name the grid's columns: the same provider twice (two temperatures) gets a number, and each fits 80.
  const seen = new Map<string, number>();
  for (const v of variants) {
    const base = v.label.slice(0, 72);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    v.label = n > 1 ? `${base} (${n})` : base;
  }
  return startExperiment(ctx, { dataset, variants, metrics, concurrency: req.concurrency });
}

export async function importPromptfoo(ctx: AppContext, body: unknown) {
  const plan = await planImport(ctx, body);
  const refs = await saveComponents(ctx, plan);
  const dataset = await saveDataset(ctx, plan);
  await audit(ctx.store, {
    actor: 'api',
    action: 'promptfoo.import',
    subject: dataset.id,
    details: { components: refs, tests: plan.config.tests.length },
  });
  const imported = { dataset: dataset.name, components: refs, tests: plan.config.tests.length };
  if (!plan.req.start) return imported;
  return { ...imported, run: await startImported(ctx, plan, dataset.name, refs) };
}
