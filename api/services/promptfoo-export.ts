// An experiment (or eval) of text-template components as the promptfoo config that runs it again: its prompts,
// its providers (with their address and params), its dataset's tests and the assertions metric's defaults.
import { SpecError } from '../../core/errors.js';
import type { MetricSpec } from '../../core/metrics.js';
import { DEFAULT_EMBEDDING_MODEL, type Assertion } from '../../core/assertions.js';
import {
  promptfooId,
  toPromptfoo,
  type Embedders,
  type PromptfooProvider,
  type PromptfooTest,
} from '../../core/promptfoo.js';
import { parseVersionRef } from '../../core/versions.js';
import type { RunRow } from '../../db/models/run.js';
import type { ProviderRow } from '../../db/models/provider.js';
import * as ds from '../../db/repositories/datasets.js';
import { listProviders } from '../../db/repositories/providers.js';
import { components } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { followLabel } from './labels.js';

type Variant = {
  target: { component?: string; pipeline?: string };
  override?: { provider: string; model?: string };
  params?: { temperature?: number; maxTokens?: number };
};
type Inputs = { dataset?: string; variants?: Variant[]; metricSpecs?: MetricSpec[]; override?: Variant['override'] };

const refused = (message: string) =>
  new SpecError('this run cannot be exported as a promptfoo config', [{ path: 'run', message }]);

/** An experiment's variants, or an eval's one (its component and override). */
function variantsOf(run: RunRow, inputs: Inputs | null): Variant[] {
  if (inputs?.variants) return inputs.variants;
  if (run.kind !== 'eval' || run.target.type !== 'component') return [];
  return [
    {
      target: { component: `${run.target.name}@${run.target.version}` },
      ...(inputs?.override ? { override: inputs.override } : {}),
    },
  ];
}

/** A harness provider and model as promptfoo's provider entry; the embedded model has none. */
function providerOf(p: ProviderRow | undefined, name: string, model: string, params?: Variant['params']) {
  if (!p || p.type === 'local')
    throw refused(`'${name}' is ${p ? 'the embedded model, which promptfoo cannot run' : 'gone'}`);
  const kept = {
    ...(params?.temperature !== undefined ? { temperature: params.temperature } : {}),
    ...(params?.maxTokens !== undefined ? { maxTokens: params.maxTokens } : {}),
  };
  return {
    id: promptfooId(p.type, model),
    type: p.type,
    model,
    ...(p.baseUrl ? { baseUrl: p.baseUrl } : {}),
    ...(Object.keys(kept).length ? { params: kept } : {}),
  } satisfies PromptfooProvider;
}

/** One variant's prompt (its component's template) and provider. */
async function exportVariant(ctx: AppContext, v: Variant, ours: Map<string, ProviderRow>) {
  if (!v.target.component) throw refused('a pipeline has no one prompt to export');
  const ref = parseVersionRef(v.target.component)!;
  const version = ref.label ? await followLabel(ctx, 'component', ref.name, ref.label) : ref.version;
  const c = await components.getVersion(ctx.store, ref.name, version);
  if (c.spec.adapter !== 'text' || !c.spec.template)
    throw refused(
      `${c.name}@${c.version} renders its prompt from a signature (adapter ${c.spec.adapter}), not a template`,
    );
  const name = v.override?.provider ?? c.spec.provider;
  const model = v.override?.model ?? c.spec.model ?? ours.get(name)?.defaultModel ?? '';
  const provider = { ...providerOf(ours.get(name), name, model, v.params ?? c.spec.params), label: `${name}/${model}` };
  return { prompt: { label: `${c.name}@${c.version}`, template: c.spec.template }, provider };
}

/** The dataset's examples as tests: inputs as vars, their own assertions and description from the import. */
async function testsOf(ctx: AppContext, dataset: string): Promise<PromptfooTest[]> {
  const d = await ds.getDataset(ctx.store, dataset);
  return (await ds.listExamples(ctx.store, d.id)).map((e) => {
    const description = (e.metadata?.promptfoo as { description?: string } | undefined)?.description;
    return {
      ...(description ? { description } : {}),
      vars: e.inputs as PromptfooTest['vars'],
      assert: (e.metadata?.assert as PromptfooTest['assert'] | undefined) ?? [],
    };
  });
}

/** similar's embedding providers, named by harness provider here, as promptfoo ids (and their entries) there. */
function embeddersOf(tests: PromptfooTest[], defaults: Assertion[], ours: Map<string, ProviderRow>) {
  const embedders: Embedders = new Map();
  const rename = (list: Assertion[]) =>
    list.map((a) => {
      if (!a.provider) return a;
      const model = a.model ?? DEFAULT_EMBEDDING_MODEL;
      const p = providerOf(ours.get(a.provider), a.provider, model);
      const id = promptfooId(p.type, model, 'embedding');
      embedders.set(id, { ...p, id });
      return { ...a, provider: id, model };
    });
  return {
    tests: tests.map((t) => ({ ...t, assert: rename(t.assert) })),
    defaultAssert: rename(defaults),
    embedders,
  };
}

export async function exportPromptfoo(ctx: AppContext, run: RunRow): Promise<string> {
  const inputs = run.inputs as Inputs | null;
  const variants = variantsOf(run, inputs);
  if (!inputs?.dataset || !variants.length)
    throw refused('only experiments and evals of components have prompts and providers to export');
  const ours = new Map((await listProviders(ctx.store)).map((p) => [p.name, p]));
  const prompts = new Map<string, { label: string; template: string }>();
  const providers = new Map<string, PromptfooProvider>();
  for (const v of variants) {
    const { prompt, provider } = await exportVariant(ctx, v, ours);
    prompts.set(prompt.label, prompt);
    providers.set(JSON.stringify(provider), provider);
  }
  const metric = inputs.metricSpecs?.find((m) => m.name === 'assertions');
  const graderName = metric?.args?.provider;
  const graderModel = metric?.args?.model ?? (graderName ? ours.get(graderName)?.defaultModel : undefined) ?? '';
  return toPromptfoo({
    description: (await ds.getDataset(ctx.store, inputs.dataset)).description ?? inputs.dataset,
    prompts: [...prompts.values()],
    providers: [...providers.values()],
    ...embeddersOf(await testsOf(ctx, inputs.dataset), metric?.args?.assert ?? [], ours),
    ...(graderName ? { grader: providerOf(ours.get(graderName), graderName, graderModel) } : {}),
  });
}
