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
export interface PromptfooConfig {
  description?: string | undefined;
  prompts: PromptfooPrompt[];
  providers: PromptfooProvider[];
  tests: PromptfooTest[];
  /** defaultTest's assertions: checked on every test, before its own. */
  defaultAssert: Assertion[];
  /** defaultTest.options.provider: the model that grades llm-rubric. */
  grader?: PromptfooProvider | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** `openai:chat:<model>`, `openai:<model>`, `anthropic:messages:<model>`, `ollama:chat:<model>`, `ollama:<model>`. */
const PROVIDER_ID = /^(openai|anthropic|ollama)(?::(chat|messages))?:(.+)$/;
const CONFIG_KEYS = ['apiBaseUrl', 'apiHost', 'temperature', 'max_tokens'];

function parseProvider(raw: unknown, path: string, problems: Problem[]): PromptfooProvider | undefined {
  const entry = typeof raw === 'string' ? { id: raw } : raw;
  if (!isObject(entry) || typeof entry.id !== 'string') {
    problems.push({ path, message: 'a provider is an id ("openai:chat:gpt-4o-mini") or {id, label, config}' });
    return undefined;
  }
  const m = PROVIDER_ID.exec(entry.id);
  if (!m || (m[1] === 'anthropic' && m[2] === 'chat') || (m[1] !== 'anthropic' && m[2] === 'messages')) {
    problems.push({
      path: `${path}.id`,
      message: `'${entry.id}' is not a provider this import knows: use openai:chat:<model>, anthropic:messages:<model> or ollama:chat:<model>`,
    });
    return undefined;
  }
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

function parseAssertions(raw: unknown, path: string, problems: Problem[]): Assertion[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push({ path, message: 'assert must be a list' });
    return [];
  }
  return raw.flatMap((a, i) => {
    const where = `${path}[${i}]`;
    if (isObject(a) && (a.type === 'similar' || a.type === 'not-similar')) {
      problems.push({ path: `${where}.type`, message: 'similar needs an embedding model, which is not supported yet' });
      return [];
    }
    const parsed = assertionSpec.safeParse(a);
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

function parseTest(raw: unknown, i: number, defaults: PromptfooTest['vars'], problems: Problem[]) {
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
    assert: parseAssertions(raw.assert, `${path}.assert`, problems),
  };
}

const listOf = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A promptfoo config (YAML or JSON) as what it asks for; a config with anything this import cannot carry is refused whole. */
export function parsePromptfoo(text: string): PromptfooConfig {
  const problems: Problem[] = [];
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new SpecError('the promptfoo config is not valid YAML', [
      { path: 'config', message: (err as Error).message },
    ]);
  }
  if (!isObject(doc)) throw new SpecError('the promptfoo config must be a mapping', []);
  if (typeof doc.tests === 'string')
    problems.push({
      path: 'tests',
      message: `tests from files (${doc.tests}) are not imported: list them in the config`,
    });
  const defaultTest = isObject(doc.defaultTest) ? doc.defaultTest : {};
  const prompts = listOf(doc.prompts).flatMap((p, i) => parsePrompt(p, i, problems) ?? []);
  const providers = listOf(doc.providers).flatMap((p, i) => parseProvider(p, `providers[${i}]`, problems) ?? []);
  const defaultVars = parseVars(defaultTest.vars, 'defaultTest.vars', problems);
  const tests = (Array.isArray(doc.tests) ? doc.tests : []).flatMap(
    (t, i) => parseTest(t, i, defaultVars, problems) ?? [],
  );
  const defaultAssert = parseAssertions(defaultTest.assert, 'defaultTest.assert', problems);
  const graderRaw = isObject(defaultTest.options) ? defaultTest.options.provider : undefined;
  const grader =
    graderRaw === undefined ? undefined : parseProvider(graderRaw, 'defaultTest.options.provider', problems);
  if (!prompts.length) problems.push({ path: 'prompts', message: 'name at least one prompt' });
  if (!providers.length) problems.push({ path: 'providers', message: 'name at least one provider' });
  if (!tests.length) problems.push({ path: 'tests', message: 'list at least one test' });
  for (const [i, p] of prompts.entries()) {
    const fields = templateFields(p.template);
    if (!fields.length) problems.push({ path: `prompts[${i}]`, message: 'the prompt uses no {{ var }}' });
    for (const [t, test] of tests.entries())
      for (const f of fields.filter((f) => !(f in test.vars)))
        problems.push({ path: `tests[${t}].vars`, message: `has no '${f}', which prompt '${p.label}' uses` });
  }
  const needsGrader = [...defaultAssert, ...tests.flatMap((t) => t.assert)].some((a) => a.type.endsWith('llm-rubric'));
  if (needsGrader && !grader)
    problems.push({
      path: 'defaultTest.options.provider',
      message: 'llm-rubric needs a grader here: name it (promptfoo would otherwise pick one of its own)',
    });
  if (problems.length) throw new SpecError('the promptfoo config was refused; nothing was imported', problems);
  return {
    ...(typeof doc.description === 'string' ? { description: doc.description } : {}),
    prompts,
    providers,
    tests,
    defaultAssert,
    ...(grader ? { grader } : {}),
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
  const defaultTest = {
    ...(c.defaultAssert.length ? { assert: c.defaultAssert } : {}),
    ...(c.grader ? { options: { provider: providerEntry(c.grader) } } : {}),
  };
  return toYaml({
    ...(c.description ? { description: c.description } : {}),
    prompts: c.prompts.map((p) => ({ label: p.label, raw: p.template })),
    providers: c.providers.map(providerEntry),
    ...(Object.keys(defaultTest).length ? { defaultTest } : {}),
    tests: c.tests.map((t) => ({
      ...(t.description ? { description: t.description } : {}),
      vars: t.vars,
      assert: t.assert,
    })),
  });
}

/** promptfoo's id for a provider of the harness: its type's chat API and the model. */
export function promptfooId(type: ProviderType, model: string): string {
  return `${type}:${type === 'anthropic' ? 'messages' : 'chat'}:${model}`;
}
