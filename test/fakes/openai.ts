// The OpenAI wire protocol: POST /v1/chat/completions (JSON or SSE chunks with usage), POST /v1/embeddings,
// GET /v1/models.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { asToolCall, chunks, countTokens, type FakeRequest } from './script.js';
import type { ProtocolHandler } from './server.js';

export const openaiProtocol: ProtocolHandler = {
  name: 'openai',
  route(req: IncomingMessage) {
    if (req.method === 'GET' && req.url?.startsWith('/v1/models')) return 'models';
    if (req.method === 'POST' && req.url?.startsWith('/v1/chat/completions')) return 'chat';
    if (req.method === 'POST' && req.url?.startsWith('/v1/embeddings')) return 'embeddings';
    return undefined;
  },
  /** Each input's letter-and-digit counts as its vector (texts with the same letters point the same way), as floats or base64 float32 as asked. */
  embeddings(res: ServerResponse, body: Record<string, unknown>) {
    const inputs = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
    const base64 = body.encoding_format === 'base64';
    const data = inputs.map((text, index) => {
      const v = letterCounts(text);
      const embedding = base64 ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v;
      return { object: 'embedding', index, embedding };
    });
    const tokens = inputs.reduce((n, t) => n + countTokens(t), 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'list',
        data,
        model: String(body.model),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      }),
    );
    return inputs;
  },
  toRequest(body: Record<string, unknown>, headers): FakeRequest {
    const format = body.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
    const tools = (body.tools as Array<{ function: { name: string } }> | undefined)?.map((t) => t.function.name);
    const maxTokens = (body.max_completion_tokens ?? body.max_tokens) as number | undefined;
    return {
      protocol: 'openai',
      model: String(body.model),
      messages: body.messages as FakeRequest['messages'],
      stream: body.stream === true,
      jsonSchema: format?.json_schema?.schema,
      ...(tools ? { tools } : {}),
      ...(maxTokens ? { maxTokens } : {}),
      headers,
    };
  },
  models(res: ServerResponse, models: string[]) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'fake' })),
      }),
    );
  },
  error(res, status, message) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null } }));
  },
  reply(res, req, text, finishReason = 'stop') {
    const id = `chatcmpl-${Math.random().toString(36).slice(2)}`;
    const usage = {
      prompt_tokens: countTokens(req.messages.map((m) => m.content).join(' ')),
      completion_tokens: countTokens(text),
    };
    const created = Math.floor(Date.now() / 1000);
    const call = req.tools ? asToolCall(text) : undefined;
    if (call) {
      const tc = {
        id: `call_${id}`,
        type: 'function',
        function: { name: call.name, arguments: JSON.stringify(call.arguments) },
      };
      const total = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
      if (!req.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id,
            object: 'chat.completion',
            created,
            model: req.model,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: null, tool_calls: [tc], refusal: null },
                logprobs: null,
                finish_reason: 'tool_calls',
              },
            ],
            usage: total,
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (choices: unknown[], extra: Record<string, unknown> = {}) =>
        res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: req.model, choices, ...extra })}\n\n`,
        );
      send([
        {
          index: 0,
          delta: {
            role: 'assistant',
            content: null,
            tool_calls: [{ index: 0, id: tc.id, type: 'function', function: { name: call.name, arguments: '' } }],
          },
          finish_reason: null,
        },
      ]);
      for (const part of chunks(tc.function.arguments))
        send([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: part } }] }, finish_reason: null }]);
      send([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]);
      send([], { usage: total });
      res.end('data: [DONE]\n\n');
      return;
    }
    if (!req.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: req.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: text, refusal: null },
              logprobs: null,
              finish_reason: finishReason,
            },
          ],
          usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: req.model, choices, ...extra })}\n\n`,
      );
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
    for (const part of chunks(text))
      chunk([{ index: 0, delta: { content: part }, logprobs: null, finish_reason: null }]);
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]);
    chunk([], { usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } });
    res.end('data: [DONE]\n\n');
  },
};

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** How often each letter and digit occurs, plus a constant so no text is the zero vector. */
export function letterCounts(text: string): number[] {
  const lower = text.toLowerCase();
  return [...ALPHABET].map((c) => lower.split(c).length - 1).concat(1);
}
