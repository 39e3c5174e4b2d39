// zod schemas for everything a user authors; one schema serves API bodies, workflow input and UI forms.
import { z } from 'zod';
import { runStatuses } from './run-story/status.js';
import { BUILTIN_TOOL_NAMES } from './tools/index.js';
import { LABEL, VERSION_REF } from './versions.js';

export const NAME = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'use lowercase letters, digits, _ or -, starting with a letter (max 64)');

export const providerTypes = ['openai', 'anthropic', 'ollama', 'local'] as const;

export const providerSpec = z.strictObject({
  name: NAME,
  type: z.enum(providerTypes),
  baseUrl: z.url().optional(),
  apiKey: z.string().min(1).optional(),
  defaultModel: z.string().min(1).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});
export type ProviderSpec = z.infer<typeof providerSpec>;
export const providerPatch = providerSpec.partial().extend({ apiKey: z.string().min(1).nullable().optional() });

export const demoSpec = z.strictObject({
  inputs: z.record(z.string(), z.unknown()),
  outputs: z.record(z.string(), z.unknown()),
  /** Bootstrapped from a run rather than written by hand (DSPy's `augmented`). */
  augmented: z.boolean().optional(),
});

export const componentSpec = z.strictObject({
  name: NAME,
  kind: z.enum(['predict', 'chain_of_thought', 'react']).default('predict'),
  signature: z.string().min(3),
  /**
   * chat: field markers; json: the provider's structured output; text: `template` as the user message, the whole reply
   * the one output; auto: json for the local model, else chat.
   */
  adapter: z.enum(['auto', 'chat', 'json', 'text']).default('auto'),
  /** The user message for adapter 'text', with `{{ field }}` placeholders for the inputs. */
  template: z.string().min(1).optional(),
  instructions: z.string().optional(),
  demos: z.array(demoSpec).optional(),
  provider: NAME,
  model: z.string().min(1).optional(),
  params: z
    .strictObject({
      temperature: z.number().min(0).max(2).optional(),
      maxTokens: z.int().positive().optional(),
      stream: z.boolean().optional(),
    })
    .optional(),
  /** Built-in tools, and MCP servers' tools: `mcp:<server>` (all its tools) or `mcp:<server>/<tool>`. */
  tools: z
    .array(
      z.union([
        z.enum(BUILTIN_TOOL_NAMES),
        z
          .string()
          .regex(
            /^mcp:[A-Za-z0-9_-]{1,32}(\/[A-Za-z0-9_.:-]{1,64})?$/,
            'an MCP tool is mcp:<server> or mcp:<server>/<tool>',
          ),
      ]),
    )
    .optional(),
  /** What DSPy kept for this component's fields (from an imported program), so an export gives it back. */
  dspy: z.strictObject({ prefixes: z.record(z.string(), z.string()).optional() }).optional(),
  /** reuse: a call whose key matches a completed call of any earlier run takes its outputs (the step cache). */
  cache: z.enum(['reuse', 'off']).optional(),
  maxSteps: z.int().positive().optional(),
  budget: z
    .strictObject({
      maxTokens: z.int().positive().optional(),
      maxCostUsd: z.number().positive().optional(),
      /** Crossing a budget fails the run, or asks a person whether to go on. */
      onExceed: z.enum(['fail', 'ask']).default('fail'),
    })
    .optional(),
});
export type ComponentSpec = z.infer<typeof componentSpec>;

const binding = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);

export const stepSpec = z.strictObject({
  id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'step ids are letters, digits, _ or -'),
  /** "name" (its latest when the pipeline version is saved, then pinned), "name@3", or "name@label" (followed at run start). */
  component: z.string().regex(VERSION_REF, 'a component is "name", "name@version" or "name@label"'),
  inputs: z.record(z.string(), binding).default({}),
  foreach: z.string().optional(),
  concurrency: z.int().positive().max(64).optional(),
  when: z.string().optional(),
  retry: z
    .strictObject({ maxAttempts: z.int().positive().max(20), initialIntervalMs: z.int().positive().optional() })
    .optional(),
  timeoutMs: z.int().positive().optional(),
});
export type StepSpec = z.infer<typeof stepSpec>;

export const pipelineSpec = z.strictObject({
  name: NAME,
  description: z.string().optional(),
  inputs: z.record(z.string(), z.string()).default({}),
  steps: z.array(stepSpec).min(1, 'a pipeline needs at least one step'),
  outputs: z.record(z.string(), z.string()).default({}),
});
export type PipelineSpec = z.infer<typeof pipelineSpec>;

export const runRequest = z
  .strictObject({
    inputs: z.record(z.string(), z.unknown()).default({}),
    version: z.int().positive().optional(),
    /** Run the version this label names now (recorded on the run), instead of a version. */
    label: LABEL.optional(),
    /** The step cache for this run, over each component's own choice. */
    cache: z.enum(['reuse', 'off']).optional(),
  })
  .refine((r) => r.version === undefined || r.label === undefined, {
    message: 'name a version or a label, not both',
    path: ['label'],
  });

export const runKinds = [
  'pipeline',
  'component',
  'agent',
  'chat',
  'eval',
  'optimize',
  'generate',
  'experiment',
] as const;
export type RunKind = (typeof runKinds)[number];

/** The words of a search: runs of letters, digits and `_`, lower-cased (the store's full-text indexes split text the same way). */
export const searchWords = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];

/** How a list treats archived things (runs, components): left out by default. */
export const archivedQuery = z.enum(['include', 'only'], { error: "archived is 'include' or 'only'" }).optional();
export type ArchivedFilter = z.infer<typeof archivedQuery>;

export const runListQuery = z.strictObject({
  kind: z.enum(runKinds).optional(),
  status: z.enum(runStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The nextCursor of a previous page: a run id (anything else would silently give the first page). */
  cursor: z
    .string()
    .regex(/^run_[0-9a-z]{8,40}$/, 'cursor must be the nextCursor of a previous page (a run id)')
    .optional(),
  /** Words found in its inputs' or outputs' values or its feedback notes (full-text, each word or the start of one). */
  q: z
    .string()
    .max(200)
    .refine((s) => searchWords(s).length > 0, 'q needs a word to search for (a letter or a digit)')
    .optional(),
  /** Its target's name (a component, pipeline or chat). */
  target: z.string().min(1).max(120).optional(),
  /** Created at or after `since`, before `until` (ISO 8601). */
  since: z.iso
    .datetime({ offset: true })
    .transform((t) => new Date(t).toISOString())
    .optional(),
  until: z.iso
    .datetime({ offset: true })
    .transform((t) => new Date(t).toISOString())
    .optional(),
  /**
   * Where runs came from: `app` (any app), `app:<name>@` (every version), `app:<name>@<version>`; `eval` or `eval:<runId>` (an
   * eval's examples), `optimize` or `optimize:<runId>` (an optimizer's trials), `experiment` or `experiment:<runId>` (an
   * experiment's cells); `fork` or `fork:<runId>` (forks of that run). Without it, child runs (eval, optimize,
   * experiment) are left out. A run id may be a composed one (ids.ts, up to 62 characters).
   */
  origin: z
    .string()
    .regex(
      /^(app|eval|optimize|experiment|fork|app:[a-z][a-z0-9_-]*@(\d+)?|(eval|optimize|experiment|fork):run_[0-9a-z][0-9a-z_-]{7,57})$/,
      'origin is app, app:<name>@, app:<name>@<version>, eval, eval:<run id>, optimize, optimize:<run id>, experiment, experiment:<run id>, fork or fork:<run id>',
    )
    .optional(),
  /** Runs that made a model call to this provider (its name) / with this model. */
  provider: z.string().min(1).max(64).optional(),
  model: z.string().min(1).max(200).optional(),
  /** Archived runs are left out unless asked for: `include` lists them too, `only` lists them alone. */
  archived: archivedQuery,
  /** Runs with negative feedback (thumbs down, score ≤ 2, a negative label), positive (thumbs up, score ≥ 4), any, none. */
  feedback: z.enum(['negative', 'positive', 'any', 'none']).optional(),
});
