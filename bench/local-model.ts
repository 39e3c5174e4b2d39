// The embedded model on this CPU: load time, first-token latency and tokens/s, as one JSON line.
// Usage: node bin/run-ts.js bench/local-model.ts [threads=1] [tokens=128]
import { DEFAULT_LOCAL_MODEL, resolveLocalModel, sha256File } from '../providers/local-models.js';
import { userModels } from './edge.js';

const threads = Number(process.argv[2] ?? 1);
const maxTokens = Number(process.argv[3] ?? 128);
const modelPath = resolveLocalModel(undefined, userModels);
const { getLlama, LlamaChatSession, LlamaLogLevel } = await import('node-llama-cpp');

const t0 = performance.now();
const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: 2048, threads });
const loadMs = performance.now() - t0;

const runs: Array<{ firstTokenMs: number; tokens: number; tokensPerSecond: number; decodeTokensPerSecond: number }> =
  [];
for (let i = 0; i < 3; i++) {
  const sequence = context.getSequence();
  const session = new LlamaChatSession({ contextSequence: sequence });
  let first = 0;
  const start = performance.now();
  const text = await session.prompt('Explain in a few sentences why durable workflows help when a process crashes.', {
    maxTokens,
    temperature: 0,
    onTextChunk: () => {
      if (!first) first = performance.now() - start;
    },
  });
  const seconds = (performance.now() - start) / 1000;
  const tokens = model.tokenize(text).length;
  // Decode speed leaves out the prompt: tokens after the first over the time after the first.
  const decode = (tokens - 1) / (seconds - first / 1000);
  runs.push({
    firstTokenMs: Math.round(first),
    tokens,
    tokensPerSecond: Math.round((tokens / seconds) * 10) / 10,
    decodeTokensPerSecond: Math.round(decode * 10) / 10,
  });
  session.dispose({ disposeSequence: false });
  sequence.dispose();
}
const median = <T>(xs: T[], f: (x: T) => number) => [...xs].map(f).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  JSON.stringify({
    bench: 'local-model',
    model: DEFAULT_LOCAL_MODEL.name,
    sha256Ok:
      sha256File(modelPath) === DEFAULT_LOCAL_MODEL.sha256 ||
      modelPath !== resolveLocalModel(DEFAULT_LOCAL_MODEL.name, userModels),
    threads,
    loadMs: Math.round(loadMs),
    firstTokenMs: median(runs, (r) => r.firstTokenMs),
    tokensPerSecond: median(runs, (r) => r.tokensPerSecond),
    decodeTokensPerSecond: median(runs, (r) => r.decodeTokensPerSecond),
    runs,
  }),
);
await context.dispose();
await model.dispose();
await llama.dispose();
