// What bench/peers.ts asks of each durable engine: run an N-step chain to its end, each step one call to the
// zero-latency fake OpenAI server (the prompt our pipelines send), recorded durably by the engine before the next.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderPredict } from '../../core/adapters.js';
import { parseSignature } from '../../core/signature.js';

export interface Engine {
  name: string;
  /** How the engine records a step (for the report). */
  durability: string;
  chain(steps: number): Promise<void>;
  close(): Promise<void>;
}

/** The request body of one step: the chat completion our `upper` component asks for. */
export function stepBody(): string {
  const messages = renderPredict(
    { signature: parseSignature('text: str -> result: str'), instructions: 'op: upper' },
    {
      text: 'bench',
    },
  );
  return JSON.stringify({ model: 'fake-model', messages });
}

/** One step's work, the same for every peer: POST the completion, read the answer. */
export function fakeStep(baseUrl: string): () => Promise<string> {
  const body = stepBody();
  return async () => {
    const res = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
      body,
    });
    if (!res.ok) throw new Error(`fake: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
  };
}

/** Where `npm run setup:bench-peers` installs the peers (kept out of the project's own dependencies). */
export const PEERS_DIR = path.resolve('.vloop/tools/peers');

/** A peer's package, loaded from PEERS_DIR; a clear error when it is not installed. */
export async function peer<T>(name: string): Promise<T> {
  let file: string;
  try {
    file = createRequire(path.join(PEERS_DIR, 'package.json')).resolve(name);
  } catch {
    throw new Error(`${name} is not installed in ${PEERS_DIR} (npm run setup:bench-peers)`);
  }
  return (await import(pathToFileURL(file).href)) as T;
}
