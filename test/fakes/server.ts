// One fake provider server per protocol, driven by a script; every request is recorded.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicProtocol } from './anthropic.js';
import { ollamaProtocol } from './ollama.js';
import { openaiProtocol } from './openai.js';
import { withinTokenLimit, type FakeRequest, type Script } from './script.js';

export interface ProtocolHandler {
  name: FakeRequest['protocol'];
  route(req: IncomingMessage): 'chat' | 'models' | 'embeddings' | undefined;
  /** Answer an embeddings request; the texts it embedded. */
  embeddings?(res: ServerResponse, body: Record<string, unknown>): string[];
  toRequest(body: Record<string, unknown>, headers: IncomingMessage['headers']): FakeRequest;
  models(res: ServerResponse, models: string[]): void;
  error(res: ServerResponse, status: number, message: string): void;
  reply(res: ServerResponse, req: FakeRequest, text: string, finishReason?: 'stop' | 'length'): void;
}

export interface FakeProvider {
  url: string;
  /** The base URL the SDK wants (OpenAI's includes /v1). */
  baseUrl: string;
  requests: FakeRequest[];
  /** Chunks of slow (delayMs) replies actually written so far: a test can act mid-answer. */
  slowChunksWritten: number;
  /** Replies whose connection closed before they were finished (a client that aborted). */
  closedEarly: number;
  /** Texts embedded (POST /v1/embeddings), in order. */
  embedded: string[];
  /** Requests whose answer (a 200) was written in full: what a client can have received, not only what was asked. */
  delivered: FakeRequest[];
  script: Script;
  close(): Promise<void>;
}

const protocols = { openai: openaiProtocol, anthropic: anthropicProtocol, ollama: ollamaProtocol };

export async function startFakeProvider(
  protocol: keyof typeof protocols,
  script: Script,
  models: string[] = ['fake-model'],
): Promise<FakeProvider> {
  const handler = protocols[protocol];
  const fake: FakeProvider = {
    url: '',
    baseUrl: '',
    requests: [],
    slowChunksWritten: 0,
    closedEarly: 0,
    embedded: [],
    delivered: [],
    script,
    close: async () => {},
  };
  const server = http.createServer(async (req, res) => {
    const kind = handler.route(req);
    if (!kind) return handler.error(res, 404, `no route ${req.method} ${req.url}`);
    if (kind === 'models') return handler.models(res, models);
    let body: Record<string, unknown>;
    try {
      const chunksIn: Buffer[] = [];
      for await (const c of req) chunksIn.push(c as Buffer);
      body = JSON.parse(Buffer.concat(chunksIn).toString('utf8'));
    } catch {
      return handler.error(res, 400, 'malformed JSON');
    }
    if (kind === 'embeddings') {
      if (!handler.embeddings) return handler.error(res, 404, `no route ${req.method} ${req.url}`);
      fake.embedded.push(...handler.embeddings(res, body));
      return;
    }
    const request = handler.toRequest(body, req.headers);
    fake.requests.push(request);
    res.once('close', () => {
      if (!res.writableFinished) fake.closedEarly++;
    });
    res.once('finish', () => {
      if (res.statusCode === 200) fake.delivered.push(request);
    });
    try {
      const reply = await fake.script(request);
      if (typeof reply === 'object' && 'status' in reply) return handler.error(res, reply.status, reply.error);
      if (res.destroyed) return;
      if (typeof reply === 'object' && reply.cutAfter !== undefined) {
        let written = 0;
        const write = res.write.bind(res) as (chunk: unknown) => boolean;
        const limit = reply.cutAfter;
        res.write = ((chunk: unknown) =>
          ++written > limit ? (res.destroy(), false) : write(chunk)) as typeof res.write;
      }
      if (typeof reply === 'object' && reply.delayMs) {
        // Slow streaming: each chunk after a pause, so a test can act while the answer is in flight.
        const write = res.write.bind(res) as (chunk: unknown) => boolean;
        const pause = reply.delayMs;
        let queue = Promise.resolve();
        res.write = ((chunk: unknown) => {
          queue = queue
            .then(() => new Promise((r) => setTimeout(r, pause)))
            .then(() => void (res.destroyed || (fake.slowChunksWritten++, write(chunk))));
          return true;
        }) as typeof res.write;
        const end = res.end.bind(res) as (chunk?: unknown) => void;
        res.end = ((chunk?: unknown) => {
          queue = queue.then(() => void (res.destroyed || end(chunk)));
          return res;
        }) as typeof res.end;
      }
      const limited = withinTokenLimit(typeof reply === 'string' ? reply : reply.text, request.maxTokens);
      handler.reply(
        res,
        request,
        limited.text,
        limited.cut ? 'length' : typeof reply === 'string' ? undefined : reply.finishReason,
      );
    } catch (err) {
      if (!res.headersSent) handler.error(res, 500, (err as Error).message);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  fake.baseUrl = protocol === 'openai' ? `${fake.url}/v1` : fake.url;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
