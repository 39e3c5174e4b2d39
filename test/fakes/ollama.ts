// Ollama's native protocol: POST /api/chat (JSON or NDJSON stream), GET /api/tags.
import type { IncomingMessage } from 'node:http';
import { asToolCall, chunks, countTokens, type FakeRequest } from './script.js';
import type { ProtocolHandler } from './server.js';

export const ollamaProtocol: ProtocolHandler = {
  name: 'ollama',
  route(req: IncomingMessage) {
    if (req.method === 'GET' && req.url?.startsWith('/api/tags')) return 'models';
    if (req.method === 'POST' && req.url?.startsWith('/api/chat')) return 'chat';
    return undefined;
  },
  toRequest(body: Record<string, unknown>, headers): FakeRequest {
    // Ollama streams unless told not to.
    const tools = (body.tools as Array<{ function: { name: string } }> | undefined)?.map((t) => t.function.name);
    const maxTokens = (body.options as { num_predict?: number } | undefined)?.num_predict;
    return {
      protocol: 'ollama',
      model: String(body.model),
      messages: body.messages as FakeRequest['messages'],
      stream: body.stream !== false,
      jsonSchema: body.format,
      ...(tools ? { tools } : {}),
      ...(maxTokens ? { maxTokens } : {}),
      headers,
    };
  },
  models(res, models) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        models: models.map((name) => ({
          name,
          model: name,
          modified_at: '2025-01-01T00:00:00Z',
          size: 1,
          digest: 'sha256:fake',
          details: { format: 'gguf', family: 'fake' },
        })),
      }),
    );
  },
  error(res, status, message) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: message }));
  },
  reply(res, req, text, finishReason) {
    const at = new Date().toISOString();
    const final = {
      model: req.model,
      created_at: at,
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: finishReason ?? 'stop',
      total_duration: 1000,
      load_duration: 1,
      prompt_eval_count: countTokens(req.messages.map((m) => m.content).join(' ')),
      prompt_eval_duration: 1,
      eval_count: countTokens(text),
      eval_duration: 1,
    };
    const call = req.tools ? asToolCall(text) : undefined;
    if (call) {
      const message = {
        role: 'assistant',
        content: '',
        tool_calls: [{ function: { name: call.name, arguments: call.arguments } }],
      };
      res.writeHead(200, { 'content-type': req.stream ? 'application/x-ndjson' : 'application/json' });
      res.end(
        req.stream
          ? `${JSON.stringify({ model: req.model, created_at: at, message, done: false })}\n${JSON.stringify(final)}\n`
          : JSON.stringify({ ...final, message }),
      );
      return;
    }
    if (!req.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...final, message: { role: 'assistant', content: text } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const part of chunks(text))
      res.write(
        `${JSON.stringify({ model: req.model, created_at: at, message: { role: 'assistant', content: part }, done: false })}\n`,
      );
    res.end(`${JSON.stringify(final)}\n`);
  },
};
