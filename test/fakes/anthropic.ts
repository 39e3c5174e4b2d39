// The Anthropic Messages protocol: POST /v1/messages (JSON or named SSE events), GET /v1/models.
import type { IncomingMessage } from 'node:http';
import { asToolCall, chunks, countTokens, type FakeRequest } from './script.js';
import type { ProtocolHandler } from './server.js';

export const anthropicProtocol: ProtocolHandler = {
  name: 'anthropic',
  route(req: IncomingMessage) {
    if (req.method === 'GET' && req.url?.startsWith('/v1/models')) return 'models';
    if (req.method === 'POST' && req.url?.startsWith('/v1/messages')) return 'chat';
    return undefined;
  },
  toRequest(body: Record<string, unknown>, headers): FakeRequest {
    const messages = [
      ...(body.system ? [{ role: 'system' as const, content: String(body.system) }] : []),
      ...(body.messages as FakeRequest['messages']),
    ];
    const forced = (body.tool_choice as { type?: string; name?: string } | undefined)?.type === 'tool';
    const offered = body.tools as Array<{ name: string; input_schema: unknown }> | undefined;
    const tools = !forced && offered ? offered.map((t) => t.name) : undefined;
    return {
      protocol: 'anthropic',
      model: String(body.model),
      messages,
      stream: body.stream === true,
      jsonSchema: forced ? offered?.[0]?.input_schema : undefined,
      ...(tools ? { tools } : {}),
      maxTokens: Number(body.max_tokens),
      headers,
    };
  },
  models(res, models) {
    res.writeHead(200, { 'content-type': 'application/json' });
    const data = models.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
    res.end(JSON.stringify({ data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null }));
  },
  error(res, status, message) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        type: 'error',
        error: { type: status === 401 ? 'authentication_error' : 'invalid_request_error', message },
      }),
    );
  },
  reply(res, req, replyText, finishReason) {
    let text = replyText;
    const id = `msg_${Math.random().toString(36).slice(2)}`;
    const input_tokens = countTokens(req.messages.map((m) => m.content).join(' '));
    const output_tokens = countTokens(text);
    const base = { id, type: 'message', role: 'assistant', model: req.model, stop_sequence: null };
    // A forced tool call answers with a tool_use block whose input is the JSON the script gave.
    const chosen = req.tools ? asToolCall(text) : undefined;
    const toolUse = req.jsonSchema !== undefined || chosen !== undefined;
    const toolName = chosen?.name ?? 'outputs';
    if (chosen) text = JSON.stringify(chosen.arguments);
    const stopReason = toolUse ? 'tool_use' : finishReason === 'length' ? 'max_tokens' : 'end_turn';
    if (!req.stream) {
      const content = toolUse
        ? [{ type: 'tool_use', id: `toolu_${id}`, name: toolName, input: JSON.parse(text) }]
        : [{ type: 'text', text }];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...base, content, stop_reason: stopReason, usage: { input_tokens, output_tokens } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const event = (name: string, data: Record<string, unknown>) =>
      res.write(`event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`);
    event('message_start', {
      message: { ...base, content: [], stop_reason: null, usage: { input_tokens, output_tokens: 1 } },
    });
    event('content_block_start', {
      index: 0,
      content_block: toolUse
        ? { type: 'tool_use', id: `toolu_${id}`, name: toolName, input: {} }
        : { type: 'text', text: '' },
    });
    event('ping', {});
    for (const part of chunks(text)) {
      event('content_block_delta', {
        index: 0,
        delta: toolUse ? { type: 'input_json_delta', partial_json: part } : { type: 'text_delta', text: part },
      });
    }
    event('content_block_stop', { index: 0 });
    event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens } });
    event('message_stop', {});
    res.end();
  },
};
