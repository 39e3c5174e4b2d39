// promptfoo configs, in and out: prompts become text-template components, providers the variants' provider and
// model, tests a dataset's examples (vars as inputs, their assertions kept in metadata), defaultTest's assertions
// the `assertions` metric's own. What cannot be carried over exactly is refused by name, never approximated.
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { assertionProblem, assertionSpec, type Assertion } from './assertions.js';
import { SpecError, type Problem } from './errors.js';
import { templateFields } from './template.js';

export const PROVIDER_TYPES = ['openai', 'anthropic', 'ollama'] as const;
type ProviderType = (typeof PROVIDER_TYPES)[number];

export interface PromptfooPrompt {
  label: string;
  template: string;
}
export interface PromptfooProvider {
  /** promptfoo's id, `openai:chat:gpt-4o-mini`. */
  id: string;
  label?: string | undefined;
  type: ProviderType;
  model: string;
  /** Where the config sends it (`apiBaseUrl`, `apiHost`): how an import finds the harness's provider. */
  baseUrl?: string | undefined;
  params?: { temperature?: number; maxTokens?: number } | undefined;
}
export interface PromptfooTest {
  description?: string | undefined;
  vars: Record<string, string | number | boolean>;
  assert: Assertion[];
}
/** similar's embedding providers, by promptfoo id: an assertion's `provider` names one until the import finds its harness provider. */
export type Embedders = Map<string, PromptfooProvider>;

export interface PromptfooConfig {
  description?: string | undefined;
  prompts: PromptfooPrompt[];
  providers: PromptfooProvider[];
  tests: PromptfooTest[];
  /** defaultTest's assertions: checked on every test, before its own. */
  defaultAssert: Assertion[];
  /** defaultTest.options.provider: the model that grades llm-rubric. */
  grader?: PromptfooProvider | undefined;
  embedders: Embedders;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** `openai:chat:<model>`, `openai:<model>`, `anthropic:messages:<model>`, `ollama:chat:<model>`, `ollama:<model>`; for `similar`, `openai:embedding:<model>`, `ollama:embeddings:<model>`. */
const PROVIDER_ID = /^(openai|anthropic|ollama)(?::(chat|messages|embeddings?))?:(.+)$/;
const CONFIG_KEYS = ['apiBaseUrl', 'apiHost', 'temperature', 'max_tokens'];

/** A provider id's parts (API, kind, model), when it is one this import knows for that use. */
function providerIdOf(id: string, path: string, use: 'chat' | 'embedding', problems: Problem[]) {
  const m = PROVIDER_ID.exec(id);
  const embedding = !!m?.[2]?.startsWith('embedding');
  if (use === 'embedding' && m && (!embedding || m[1] === 'anthropic')) {
    problems.push({
      path,
      message: `'${id}' is not an embedding model: use openai:embedding:<model> or ollama:embeddings:<model>`,
    });
    return undefined;
  }
  const chatMismatch =
    (use === 'chat' && embedding) ||
    (m?.[1] === 'anthropic' && m[2] === 'chat') ||
    (m?.[1] !== 'anthropic' && m?.[2] === 'messages');
  // `openai:responses:gpt-4o` is another API, not a model named "responses:gpt-4o".
  const otherApi =
    /^(responses|completion|assistant|realtime|image|moderation|transcription|chat|messages|embeddings?):/.test(
      m?.[3] ?? '',
    );
  if (!m || chatMismatch || otherApi || !m[3]) {
    problems.push({
      path,
      message: `'${id}' is not a provider this import knows: use openai:chat:<model>, anthropic:messages:<model> or ollama:chat:<model>`,
    });
    return undefined;
  }
  return m;
}

function parseProvider(
  raw: unknown,
  path: string,
  problems: Problem[],
  use: 'chat' | 'embedding' = 'chat',
): PromptfooProvider | undefined {
  const entry = typeof raw === 'string' ? { id: raw } : raw;
  if (!isObject(entry) || typeof entry.id !== 'string') {
    problems.push({ path, message: 'a provider is an id ("openai:chat:gpt-4o-mini") or {id, label, config}' });
    return undefined;
  }
  const m = providerIdOf(entry.id, `${path}.id`, use, problems);
  if (!m) return undefined;
  const config = entry.config ?? {};
  if (!isObject(config)) {
    problems.push({ path: `${path}.config`, message: 'config must be a mapping' });
    return undefined;
  }
  const unknown = Object.keys(config).filter((k) => !CONFIG_KEYS.includes(k));
  if (unknown.length)
    problems.push({
      path: `${path}.config`,
      message: `${unknown.join(', ')} cannot be imported (keys live on the harness's provider; known: ${CONFIG_KEYS.join(', ')})`,
    });
  const { temperature, max_tokens: maxTokens } = config;
  if (temperature !== undefined && typeof temperature !== 'number')
    problems.push({ path: `${path}.config.temperature`, message: 'must be a number' });
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && (maxTokens as number) > 0))
    problems.push({ path: `${path}.config.max_tokens`, message: 'must be a positive whole number' });
  const params = {
    ...(typeof temperature === 'number' ? { temperature } : {}),
    ...(typeof maxTokens === 'number' ? { maxTokens } : {}),
  };
  const baseUrl = config.apiBaseUrl ?? config.apiHost;
  return {
    id: entry.id,
    ...(typeof entry.label === 'string' ? { label: entry.label } : {}),
    type: m[1] as ProviderType,
    model: m[3]!,
    ...(typeof baseUrl === 'string' ? { baseUrl } : {}),
    ...(Object.keys(params).length ? { params } : {}),
  };
}

function parsePrompt(raw: unknown, i: number, problems: Problem[]): PromptfooPrompt | undefined {
  const path = `prompts[${i}]`;
  const entry = typeof raw === 'string' ? { raw } : raw;
  const text = isObject(entry) ? (entry.raw ?? (typeof entry.id === 'string' ? entry.id : undefined)) : undefined;
  if (!isObject(entry) || typeof text !== 'string' || !text.trim()) {
    problems.push({ path, message: 'a prompt is text, or {raw, label}' });
    return undefined;
  }
  if (text.startsWith('file://')) {
    problems.push({
      path,
      message: `prompts from files (${text}) are not imported: put the prompt's text in the config`,
    });
    return undefined;
  }
  if (/^\s*\[/.test(text)) {
    problems.push({
      path,
      message: 'chat-format prompts (a list of messages) are not imported yet: use a text prompt',
    });
    return undefined;
  }
  return { label: typeof entry.label === 'string' ? entry.label : `prompt ${i + 1}`, template: text };
}

/** An assertion's own provider (similar's embedding model): kept by its promptfoo id, found a harness provider on import. */
function parseAssertionProvider(a: Record<string, unknown>, where: string, embedders: Embedders, problems: Problem[]) {
  if (a.provider === undefined) return a;
  const p = parseProvider(a.provider, `${where}.provider`, problems, 'embedding');
  // Refused already: kept named, so it is not also reported as wanting a grader.
  if (!p) return { ...a, provider: '(refused)' };
  embedders.set(p.id, p);
  return { ...a, provider: p.id, model: p.model };
}

function parseAssertions(raw: unknown, path: string, problems: Problem[], embedders: Embedders): Assertion[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push({ path, message: 'assert must be a list' });
    return [];
  }
  return raw.flatMap((a, i) => {
    const where = `${path}[${i}]`;
    const parsed = assertionSpec.safeParse(isObject(a) ? parseAssertionProvider(a, where, embedders, problems) : a);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push({ path: [where, ...issue.path].join('.'), message: issue.message });
      return [];
    }
    const problem = assertionProblem(parsed.data);
    if (problem) problems.push({ path: where, message: problem });
    return problem ? [] : [parsed.data];
  });
}

const TEST_KEYS = ['vars', 'assert', 'description', 'metadata'];

function parseVars(raw: unknown, path: string, problems: Problem[]): PromptfooTest['vars'] {
  if (raw === undefined) return {};
  if (!isObject(raw)) {
    problems.push({ path, message: 'vars must be a mapping' });
    return {};
  }
  const vars: PromptfooTest['vars'] = {};
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v))
      problems.push({
        path: `${path}.${k}`,
        message: 'a list makes promptfoo run one test per item: write one test per value',
      });
    else if (typeof v === 'string' && v.startsWith('file://'))
      problems.push({ path: `${path}.${k}`, message: 'vars from files are not imported: put the value in the config' });
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') vars[k] = v;
    else problems.push({ path: `${path}.${k}`, message: 'a var is text, a number or true/false' });
  }
  return vars;
}

function parseTest(
  raw: unknown,
  i: number,
  defaults: PromptfooTest['vars'],
  problems: Problem[],
  embedders: Embedders,
) {
  const path = `tests[${i}]`;
  if (!isObject(raw)) {
    problems.push({ path, message: 'a test is a mapping with vars and assert' });
    return undefined;
  }
  const unknown = Object.keys(raw).filter((k) => !TEST_KEYS.includes(k));
  if (unknown.length)
    problems.push({ path, message: `${unknown.join(', ')} cannot be imported (known: ${TEST_KEYS.join(', ')})` });
  return {
    ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
    vars: { ...defaults, ...parseVars(raw.vars, `${path}.vars`, problems) },
    assert: parseAssertions(raw.assert, `${path}.assert`, problems, embedders),
  };
}

/** Keys that change what promptfoo runs or how it grades, which this import would otherwise drop without a word. */
const CHANGES_THE_RUN = ['scenarios', 'targets', 'nunjucksFilters', 'env', 'extensions', 'derivedMetrics', 'redteam'];
const DEFAULT_TEST_KEYS = ['vars', 'assert', 'options', 'description', 'metadata'];

function checkKeys(doc: Record<string, unknown>, problems: Problem[]): void {
  for (const k of CHANGES_THE_RUN.filter((k) => k in doc))
    problems.push({ path: k, message: `${k} cannot be imported: it changes what promptfoo runs` });
  const d = isObject(doc.defaultTest) ? doc.defaultTest : {};
  const unknown = Object.keys(d).filter((k) => !DEFAULT_TEST_KEYS.includes(k));
  if (unknown.length)
    problems.push({
      path: 'defaultTest',
      message: `${unknown.join(', ')} cannot be imported (known: ${DEFAULT_TEST_KEYS.join(', ')})`,
    });
  const options = isObject(d.options) ? Object.keys(d.options).filter((k) => k !== 'provider') : [];
  if (options.length)
    problems.push({
      path: 'defaultTest.options',
      message: `${options.join(', ')} cannot be imported (known: provider)`,
    });
}

/** What holds across the config: something to run, every var a prompt uses given, a grader where one is needed. */
function checkWhole(
  c: Pick<PromptfooConfig, 'prompts' | 'providers' | 'tests' | 'defaultAssert' | 'grader'>,
  problems: Problem[],
): void {
  if (!c.prompts.length) problems.push({ path: 'prompts', message: 'name at least one prompt' });
  if (!c.providers.length) problems.push({ path: 'providers', message: 'name at least one provider' });
  if (!c.tests.length) problems.push({ path: 'tests', message: 'list at least one test' });
  for (const [i, p] of c.prompts.entries()) {
    const fields = templateFields(p.template);
    if (!fields.length) problems.push({ path: `prompts[${i}]`, message: 'the prompt uses no {{ var }}' });
    for (const [t, test] of c.tests.entries())
      for (const f of fields.filter((f) => !Object.hasOwn(test.vars, f)))
        problems.push({ path: `tests[${t}].vars`, message: `has no '${f}', which prompt '${p.label}' uses` });
  }
  const all = [...c.defaultAssert, ...c.tests.flatMap((t) => t.assert)];
  const needsGrader = all.some((a) => a.type.endsWith('llm-rubric') || (a.type.endsWith('similar') && !a.provider));
  if (needsGrader && !c.grader)
    problems.push({
      path: 'defaultTest.options.provider',
      message:
        'llm-rubric (and similar without a provider) needs a grader here: name it (promptfoo would otherwise pick one of its own)',
    });
}

const listOf = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A promptfoo config (YAML or JSON) as what it asks for; a config with anything this import cannot carry is refused whole. */
export function parsePromptfoo(text: string): PromptfooConfig {
  const problems: Problem[] = [];
  let doc: unknown;
  try {
    // Merge keys (<<: *base) applied, as promptfoo's loader applies them.
    doc = parseYaml(text, { merge: true });
  } catch (err) {
    throw new SpecError('the promptfoo config is not valid YAML', [
      { path: 'config', message: (err as Error).message },
    ]);
  }
  if (!isObject(doc)) throw new SpecError('the promptfoo config must be a mapping', []);
  checkKeys(doc, problems);
  if (typeof doc.tests === 'string')
    problems.push({
      path: 'tests',
      message: `tests from files (${doc.tests}) are not imported: list them in the config`,
    });
  const defaultTest = isObject(doc.defaultTest) ? doc.defaultTest : {};
  const prompts = listOf(doc.prompts).flatMap((p, i) => parsePrompt(p, i, problems) ?? []);
  const providers = listOf(doc.providers).flatMap((p, i) => parseProvider(p, `providers[${i}]`, problems) ?? []);
  const defaultVars = parseVars(defaultTest.vars, 'defaultTest.vars', problems);
  const embedders: Embedders = new Map();
  const tests = (Array.isArray(doc.tests) ? doc.tests : []).flatMap(
    (t, i) => parseTest(t, i, defaultVars, problems, embedders) ?? [],
  );
  const defaultAssert = parseAssertions(defaultTest.assert, 'defaultTest.assert', problems, embedders);
  const graderRaw = isObject(defaultTest.options) ? defaultTest.options.provider : undefined;
  const grader =
    graderRaw === undefined ? undefined : parseProvider(graderRaw, 'defaultTest.options.provider', problems);
  checkWhole({ prompts, providers, tests, defaultAssert, grader }, problems);
  if (problems.length) throw new SpecError('the promptfoo config was refused; nothing was imported', problems);
  return {
    ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
    prompts,
    providers,
    tests,
    defaultAssert,
    ...(grader ? { grader } : {}),
    embedders,
  };
}

function providerEntry(p: PromptfooProvider) {
  const config = {
    ...(p.baseUrl ? { [p.type === 'openai' ? 'apiBaseUrl' : 'apiHost']: p.baseUrl } : {}),
    ...(p.params?.temperature !== undefined ? { temperature: p.params.temperature } : {}),
    ...(p.params?.maxTokens !== undefined ? { max_tokens: p.params.maxTokens } : {}),
  };
  return { id: p.id, ...(p.label ? { label: p.label } : {}), ...(Object.keys(config).length ? { config } : {}) };
}

/** The config promptfoo reads: what an import would make the same experiment of. */
export function toPromptfoo(c: PromptfooConfig): string {
  // An assertion's own provider goes back as promptfoo writes it: {id, config}.
  const written = (list: Assertion[]) =>
    list.map((a) => {
      const embedder = a.provider ? c.embedders.get(a.provider) : undefined;
      if (!embedder) return a;
      const { model: _inTheId, ...rest } = a;
      return { ...rest, provider: providerEntry(embedder) };
    });
  const defaultTest = {
    ...(c.defaultAssert.length ? { assert: written(c.defaultAssert) } : {}),
    ...(c.grader ? { options: { provider: providerEntry(c.grader) } } : {}),
  };
  // YAML 1.1 quoting: a text that promptfoo's loader would read as a date, number or yes/no stays text.
  return toYaml(
    {
      ...(c.description ? { description: c.description } : {}),
      prompts: c.prompts.map((p) => ({ label: p.label, raw: p.template })),
      providers: c.providers.map(providerEntry),
      ...(Object.keys(defaultTest).length ? { defaultTest } : {}),
      tests: c.tests.map((t) => ({
        ...(t.description ? { description: t.description } : {}),
        vars: t.vars,
        assert: written(t.assert),
      })),
    },
    { version: '1.1' },
  );
}

/** promptfoo's id for a provider of the harness: its type's chat API (or embeddings API) and the model. */
export function promptfooId(type: ProviderType, model: string, use: 'chat' | 'embedding' = 'chat'): string {
  if (use === 'embedding') return `${type}:${type === 'ollama' ? 'embeddings' : 'embedding'}:${model}`;
  return `${type}:${type === 'anthropic' ? 'messages' : 'chat'}:${model}`;
}
