// WebSocket /ws: subscribe to a run from a seq; stored events first, then live ones, in order.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { redactText } from '../core/redact.js';
import * as runs from '../db/repositories/runs.js';
import type { AppContext } from './context.js';
import { hostAllowed, originAllowed, requestToken, tokenValid } from './security.js';
import { runView } from './services/runs.js';

const clientMessage = z.discriminatedUnion('type', [
  // batch: stored events arrive as {type:"events", events:[…]} frames (a 50,000-event run is 100 frames).
  z.object({ type: z.literal('subscribe'), runId: z.string().min(1), after: z.number().int().min(0).default(0), batch: z.boolean().default(false) }),
  z.object({ type: z.literal('unsubscribe'), runId: z.string().min(1) }),
]);

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/** One subscription: drains stored events after `lastSent`, serialised so frames never interleave. */
function subscribe(app: AppContext, ws: WebSocket, runId: string, after: number, batched: boolean): () => void {
  let lastSent = after;
  let draining = false;
  let again = false;
  let closed = false;
  const send = (frame: unknown) => {
    if (!closed && ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const drain = async (): Promise<void> => {
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    try {
      do {
        again = false;
        for (;;) {
          const batch = await runs.listEvents(app.store, runId, lastSent, 500);
          if (!batch.length || closed) break;
          if (batched) send({ type: 'events', runId, events: batch });
          else for (const e of batch) send({ type: 'event', runId, seq: e.seq, event: e });
          lastSent = batch[batch.length - 1]!.seq;
        }
      } while (again && !closed);
    } catch (err) {
      app.log.warn({ err, runId }, 'ws drain failed');
    } finally {
      draining = false;
    }
  };
  const offBus = app.bus.subscribe(runId, (m) => {
    if (m.type === 'events' && m.lastSeq > lastSent) void drain();
    else if (m.type === 'delta') send({ type: 'delta', runId, callId: m.callId, text: redactText(m.text, app.secrets.list()), ...(m.reset ? { reset: true } : {}) });
    else if (m.type === 'run') void runView(app, runId).then((run) => send({ type: 'run', run }), () => {});
  });
  const unwatch = app.tailer.watch(runId);
  void runView(app, runId).then(
    (run) => {
      send({ type: 'run', run });
      void drain();
    },
    () => send({ type: 'error', error: { code: 'not_found', message: `run '${runId}' not found` } }),
  );
  return () => {
    closed = true;
    offBus();
    unwatch();
  };
}

export function attachWebSocket(app: AppContext, server: Server): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws') return refuse(socket, 404, 'Not Found');
    if (!hostAllowed(app, req.headers.host)) return refuse(socket, 403, 'Forbidden');
    if (!originAllowed(app, req.headers.origin)) return refuse(socket, 403, 'Forbidden');
    // One token rule for /api and /ws: a header or the HttpOnly cookie, never the URL (URLs get logged).
    if (!tokenValid(app, requestToken(req))) return refuse(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws: WebSocket) => {
    const subs = new Map<string, () => void>();
    ws.on('message', (raw) => {
      let msg;
      try {
        msg = clientMessage.parse(JSON.parse(String(raw)));
      } catch (err) {
        ws.send(JSON.stringify({ type: 'error', error: { code: 'bad_message', message: `bad message: ${(err as Error).message.slice(0, 300)}` } }));
        return;
      }
      subs.get(msg.runId)?.();
      subs.delete(msg.runId);
      if (msg.type === 'subscribe') subs.set(msg.runId, subscribe(app, ws, msg.runId, msg.after, msg.batch));
    });
    ws.on('close', () => {
      for (const off of subs.values()) off();
      subs.clear();
    });
  });
  return wss;
}
