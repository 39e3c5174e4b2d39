// The OpenAI Evals API's shape, in and out: an eval's `data_source_config.item_schema` and `testing_criteria`,
// and its items (`{"item": {...}}` per line). Items become examples (the fields a grader uses as its reference
// are the expected answer, the rest the inputs); the graders become assertions every example carries, which the
// `assertions` metric checks. string_check maps exactly; score_model and label_model become llm-rubric judges.
import { Ajv } from 'ajv';
import { z } from 'zod';
import { assertionProblem, type Assertion } from './assertions.js';
import type { ExampleInput, Split } from './dataset-import.js';
import { SpecError, type Problem } from './errors.js';

const OUTPUT = /^\{\{\s*sample\.output_text\s*\}\}$/;
const ITEM_REF = /\{\{\s*item\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const OPERATIONS = { eq: 'equals', ne: 'not-equals', like: 'contains', ilike: 'icontains' } as const;

const message = z.object({ role: z.string(), content: z.string() }).loose();
const criterion = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('string_check'),
    name: z.string(),
    input: z.string(),
    reference: z.string(),
    operation: z.enum(['eq', 'ne', 'like', 'ilike']),
  }),
  z.object({
    type: z.literal('score_model'),
    name: z.string(),
    model: z.string().optional(),
    input: z.array(message).min(1),
    range: z.tuple([z.number(), z.number()]).optional(),
    pass_threshold: z.number().optional(),
  }),
  z.object({
    type: z.literal('label_model'),
    name: z.string(),
    model: z.string().optional(),
    input: z.array(message).min(1),
    labels: z.array(z.string()).min(2),
    passing_labels: z.array(z.string()).min(1),
  }),
  z.object({ type: z.literal('text_similarity'), name: z.string() }).loose(),
]);
export const evalDefinition = z
  .object({
    name: z.string().optional(),
    data_source_config: z.object({
      type: z.literal('custom', { error: 'only a custom data source (item_schema) is imported' }),
      item_schema: z.record(z.string(), z.unknown()),
      include_sample_schema: z.boolean().optional(),
    }),
    testing_criteria: z.array(criterion).min(1, 'name at least one testing criterion'),
  })
  .loose();
export type EvalDefinition = z.infer<typeof evalDefinition>;
type Criterion = z.infer<typeof criterion>;

/** `{{ item.answer }}` -> `{{answer}}`; the answer itself is what is graded, so its placeholder is dropped. */
const toExampleTemplate = (text: string) =>
  text.replace(ITEM_REF, '{{$1}}').replace(/\{\{\s*sample\.output_text\s*\}\}/g, '(the answer below)');

/** A judge's instructions from a grader's messages (system and user text, in order). */
const judgeText = (input: Array<{ content: string }>) => input.map((m) => toExampleTemplate(m.content)).join('\n');

/** One grader as an assertion named by it, or why it cannot be one. */
function toAssertion(c: Criterion, at: string, problems: Problem[]): Assertion | undefined {
  switch (c.type) {
    case 'string_check':
      if (!OUTPUT.test(c.input.trim())) {
        problems.push({ path: `${at}.input`, message: 'only {{ sample.output_text }} is graded here' });
        return undefined;
      }
      if (/\{\{/.test(c.reference.replace(ITEM_REF, '')))
        problems.push({
          path: `${at}.reference`,
          message: 'only {{ item.<field> }} is filled in a reference (no nested fields, no sample.output_json)',
        });
      return { type: OPERATIONS[c.operation], value: toExampleTemplate(c.reference), metric: c.name };
    case 'score_model': {
      const [lo, hi] = c.range ?? [0, 1];
      const threshold = c.pass_threshold === undefined ? undefined : (c.pass_threshold - lo) / (hi - lo || 1);
      return {
        type: 'llm-rubric',
        value: judgeText(c.input),
        ...(threshold !== undefined ? { threshold } : {}),
        metric: c.name,
      };
    }
    case 'label_model':
      return {
        type: 'llm-rubric',
        value: `${judgeText(c.input)}\nLabel the answer as one of: ${c.labels.join(', ')}. Score 1 when the label is one of: ${c.passing_labels.join(', ')}; else 0.`,
        metric: c.name,
      };
    default:
      problems.push({
        path: `${at}.type`,
        message: `${c.type} is not imported yet: its scorers (fuzzy_match, bleu, rouge, cosine…) are not here`,
      });
      return undefined;
  }
}

/** The item fields the graders take as their reference: the example's expected answer. */
function referenceFields(criteria: Criterion[]): Set<string> {
  const fields = new Set<string>();
  for (const c of criteria)
    if (c.type === 'string_check') for (const m of c.reference.matchAll(ITEM_REF)) fields.add(m[1]!);
  return fields;
}

/** The items (`{"item": {...}}` or a bare object per line), each checked against the item schema. */
function readItems(text: string, schema: Record<string, unknown>, problems: Problem[]) {
  let validate: ReturnType<Ajv['compile']>;
  try {
    validate = new Ajv({ strict: false }).compile(schema);
  } catch (err) {
    problems.push({
      path: 'definition.data_source_config.item_schema',
      message: `not a usable JSON schema: ${(err as Error).message}`,
    });
    return [];
  }
  return text.split(/\r?\n/).flatMap((line, i) => {
    if (!line.trim()) return [];
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      problems.push({ path: `line ${i + 1}`, message: `not valid JSON: ${(err as Error).message}` });
      return [];
    }
    // The API's envelope is {"item": {...}} and nothing else; an item that has a field named item is an item.
    const enveloped = value && typeof value === 'object' && Object.keys(value).join() === 'item';
    const item = enveloped ? (value as { item: unknown }).item : value;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      problems.push({ path: `line ${i + 1}`, message: 'an item must be an object of fields' });
      return [];
    }
    if (!validate(item)) {
      problems.push({
        path: `line ${i + 1}`,
        message: `does not match the item_schema: ${validate.errors?.[0]?.message}`,
      });
      return [];
    }
    return [item as Record<string, unknown>];
  });
}

/** The export's one document (`{eval, items}`), read back as a definition and its items' lines. */
function unpack(definition: unknown, text: string): { definition: unknown; items: string } {
  if (definition !== undefined) return { definition, items: text };
  try {
    const doc = JSON.parse(text) as { eval?: unknown; items?: unknown[] };
    if (doc && typeof doc === 'object' && doc.eval && Array.isArray(doc.items))
      return { definition: doc.eval, items: doc.items.map((i) => JSON.stringify(i)).join('\n') };
  } catch {
    // not one document: items alone, and no definition
  }
  throw new SpecError('the OpenAI eval was refused; nothing was imported', [
    { path: 'definition', message: 'give the eval definition (data_source_config, testing_criteria) with its items' },
  ]);
}

/** An eval definition and its items (or the export's one document) as examples that each carry the graders as assertions. */
export function parseEvalsApi(definitionGiven: unknown, text: string, split: Split): ExampleInput[] {
  const { definition, items: itemsText } = unpack(definitionGiven, text);
  const parsed = evalDefinition.safeParse(definition);
  if (!parsed.success)
    throw new SpecError(
      'the OpenAI eval definition was refused; nothing was imported',
      parsed.error.issues.map((i) => ({ path: ['definition', ...i.path].join('.'), message: i.message })),
    );
  const problems: Problem[] = [];
  const criteria = parsed.data.testing_criteria;
  const assert = criteria.flatMap((c, i) => {
    const at = `definition.testing_criteria[${i}]`;
    const a = toAssertion(c, at, problems);
    const problem = a && assertionProblem(a);
    if (problem) problems.push({ path: at, message: problem });
    return a && !problem ? [a] : [];
  });
  const items = readItems(itemsText, parsed.data.data_source_config.item_schema, problems);
  if (problems.length) throw new SpecError('the OpenAI eval was refused; nothing was imported', problems);
  const expected = referenceFields(criteria);
  return items.map((item) => ({
    inputs: Object.fromEntries(Object.entries(item).filter(([k]) => !expected.has(k))),
    expected: Object.fromEntries(Object.entries(item).filter(([k]) => expected.has(k))),
    split,
    metadata: { assert },
  }));
}

/** `{{answer}}` -> `{{ item.answer }}`. */
const toItemTemplate = (text: string) => text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, '{{ item.$1 }}');
const OPERATION_OF = Object.fromEntries(Object.entries(OPERATIONS).map(([op, type]) => [type, op]));

/** An assertion as the grader the Evals API runs: string checks as themselves, a rubric as a score_model. */
function toCriterion(a: Assertion, i: number): Criterion | undefined {
  const name = a.metric ?? `${a.type} ${i + 1}`;
  const op = OPERATION_OF[a.type];
  if (op)
    return {
      type: 'string_check',
      name,
      input: '{{ sample.output_text }}',
      reference: toItemTemplate(String(a.value)),
      operation: op as 'eq',
    };
  if (a.type === 'llm-rubric')
    return {
      type: 'score_model',
      name,
      input: [
        { role: 'system', content: toItemTemplate(String(a.value)) },
        { role: 'user', content: '{{ sample.output_text }}' },
      ],
      range: [0, 1],
      pass_threshold: a.threshold ?? 0.5,
    };
  return undefined;
}

type Exported = Pick<ExampleInput, 'inputs' | 'expected'> & { metadata?: Record<string, unknown> | null };

/** The dataset as an eval definition (its item schema, its examples' graders) and its items, one JSON object. */
export function toEvalsApi(name: string, examples: Exported[]): string {
  const assert = (examples[0]?.metadata?.assert as Assertion[] | undefined) ?? [];
  const differing = examples.findIndex((e) => JSON.stringify(e.metadata?.assert ?? []) !== JSON.stringify(assert));
  if (differing > 0)
    throw new SpecError('this dataset cannot be exported as an OpenAI eval', [
      {
        path: `example ${differing + 1}.assert`,
        message: "an eval's graders are the same for every item, and this example's assertions differ from the first's",
      },
    ]);
  const unmapped = assert.filter((a, i) => !toCriterion(a, i)).map((a) => a.type);
  if (unmapped.length)
    throw new SpecError('this dataset cannot be exported as an OpenAI eval', [
      { path: 'assert', message: `${[...new Set(unmapped)].join(', ')} has no OpenAI grader` },
    ]);
  const items = examples.map((e) => ({ ...e.inputs, ...e.expected }));
  const fields = [...new Set(items.flatMap((i) => Object.keys(i)))];
  // A field's type where every item agrees on it; required where every item has it.
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const schemaOf = (f: string) => {
    const types = new Set(items.filter((i) => f in i).map((i) => typeOf((i as Record<string, unknown>)[f])));
    return types.size === 1 ? { type: [...types][0] } : {};
  };
  return `${JSON.stringify(
    {
      eval: {
        name,
        data_source_config: {
          type: 'custom',
          item_schema: {
            type: 'object',
            properties: Object.fromEntries(fields.map((f) => [f, schemaOf(f)])),
            required: fields.filter((f) => items.every((i) => f in i)),
          },
          include_sample_schema: true,
        },
        testing_criteria: assert.map((a, i) => toCriterion(a, i)!),
      },
      items: items.map((item) => ({ item })),
    },
    null,
    2,
  )}\n`;
}
