// The embedded model: node-llama-cpp on CPU (one thread beats two on these machines), JSON-schema grammars.
import type { ChatHistoryItem, Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import { boundedSchema, type JsonSchema } from '../core/json-schema.js';
import { listLocalModels, resolveLocalModel } from './local-models.js';
import {
  finishReason,
  type CompletionRequest,
  type CompletionResult,
  type LlmProvider,
  type ProviderSettings,
} from './provider.js';

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  /** Calls run one at a time per model: a CPU runs one generation well, not two. */
  queue: Promise<unknown>;
}

let llamaPromise: Promise<Llama> | undefined;
const loaded = new Map<string, Promise<Loaded>>();

async function getLlamaOnce(): Promise<Llama> {
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  // build: 'never' — use the prebuilt CPU binary from npm; nothing is compiled or downloaded at run time.
  llamaPromise ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
  return llamaPromise;
}

/** Load a GGUF once per process and keep it (loading takes about a second). */
export function loadLocalModel(modelPath: string, threads = 1): Promise<Loaded> {
  let p = loaded.get(modelPath);
  if (!p) {
    p = (async () => {
      const llama = await getLlamaOnce();
      const model = await llama.loadModel({ modelPath });
      const context = await model.createContext({ contextSize: 4096, sequences: 1, threads });
      return { llama, model, context, queue: Promise.resolve() };
    })();
    p.catch(() => loaded.delete(modelPath));
    loaded.set(modelPath, p);
  }
  return p;
}

export async function unloadLocalModels(): Promise<void> {
  for (const p of loaded.values()) {
    const l = await p.catch(() => undefined);
    await l?.context.dispose();
    await l?.model.dispose();
  }
  loaded.clear();
}

/** node-llama-cpp's grammar takes a subset of JSON Schema: keep what it knows. */
export function grammarSchema(schema: JsonSchema): JsonSchema {
  if (Object.keys(schema).length === 0) return { type: ['string', 'number', 'boolean', 'null'] };
  const out: JsonSchema = {};
  for (const key of ['type', 'enum', 'const', 'description', 'required', 'maxLength', 'minItems', 'maxItems'] as const)
    if (key in schema) out[key] = schema[key];
  if (schema.properties)
    out.properties = Object.fromEntries(
      Object.entries(schema.properties as Record<string, JsonSchema>).map(([k, v]) => [k, grammarSchema(v)]),
    );
  if (schema.items) out.items = grammarSchema(schema.items as JsonSchema);
  if (Array.isArray(schema.prefixItems)) out.prefixItems = (schema.prefixItems as JsonSchema[]).map(grammarSchema);
  // The grammar knows oneOf; a union's anyOf means the same for one value.
  const branches = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(branches)) out.oneOf = (branches as JsonSchema[]).map(grammarSchema);
  if (schema.type === 'object' && !schema.properties)
    out.additionalProperties =
      schema.additionalProperties && schema.additionalProperties !== true
        ? grammarSchema(schema.additionalProperties as JsonSchema)
        : { type: ['string', 'number', 'boolean', 'null'] };
  return out;
}

function toHistory(messages: CompletionRequest['messages']): { history: ChatHistoryItem[]; prompt: string } {
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'user')
    throw new Error('the local model needs the conversation to end with a user message');
  const history: ChatHistoryItem[] = messages
    .slice(0, -1)
    .map((m) =>
      m.role === 'system'
        ? { type: 'system', text: m.content }
        : m.role === 'user'
          ? { type: 'user', text: m.content }
          : { type: 'model', response: [m.content] },
    );
  return { history, prompt: last.content };
}

/** A chunk for the caller, unless its call was aborted (node-llama-cpp can flush one it had decoded). */
function dropAfterAbort(signal: AbortSignal | undefined, onDelta: (chunk: string) => void, chunk: string): void {
  if (!signal?.aborted) onDelta(chunk);
}

export function createLocalProvider(s: ProviderSettings): LlmProvider {
  const threads = Number(s.options?.threads ?? 1);
  if (!s.localFiles) throw new Error('the local provider needs to know where its model files are');
  const files = s.localFiles;
  return {
    type: 'local',
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const started = Date.now();
      const l = await loadLocalModel(resolveLocalModel(req.model, files), threads);
      const run = async (): Promise<CompletionResult> => {
        const { LlamaChatSession } = await import('node-llama-cpp');
        const sequence = l.context.getSequence();
        const session = new LlamaChatSession({ contextSequence: sequence });
        try {
          const { history, prompt } = toHistory(req.messages);
          session.setChatHistory(history);
          const maxTokens = req.maxTokens ?? 512;
          // Bounded strings and lists: the JSON always closes within maxTokens.
          const grammar = req.jsonSchema
            ? await l.llama.createGrammarForJsonSchema(grammarSchema(boundedSchema(req.jsonSchema, maxTokens)) as never)
            : undefined;
          const { responseText: text, stopReason } = await session.promptWithMeta(prompt, {
            maxTokens,
            temperature: req.temperature ?? 0,
            ...(grammar ? { grammar } : {}),
            ...(req.signal ? { signal: req.signal, stopOnAbortSignal: false } : {}),
            ...(req.onDelta ? { onTextChunk: (chunk: string) => dropAfterAbort(req.signal, req.onDelta!, chunk) } : {}),
          });
          const inputTokens = req.messages.reduce((n, m) => n + l.model.tokenize(m.content).length, 0);
          return {
            text,
            usage: { inputTokens, outputTokens: l.model.tokenize(text).length },
            latencyMs: Date.now() - started,
            model: req.model,
            finishReason: finishReason(stopReason),
          };
        } finally {
          session.dispose({ disposeSequence: false });
          sequence.dispose();
        }
      };
      const result = l.queue.then(run, run);
      l.queue = result.catch(() => undefined);
      return result;
    },
    async listModels() {
      return listLocalModels(files);
    },
  };
}
