// WebSocket /ws: subscribe to a run from a seq; stored events first, then live ones, in order.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { redactText } from '../core/redact.js';
import * as runs from '../db/repositories/runs.js';
import type { AppContext } from './context.js';
import { AppError } from './errors.js';
import { JSON_DEPTH_LIMIT, jsonDeeperThan } from './json-depth.js';
import { admit, WS_PROTOCOL } from './security.js';
import { runView } from './services/runs.js';

const clientMessage = z.discriminatedUnion('type', [
  // batch: stored events arrive as {type:"events", events:[…]} frames (a 50,000-event run is 100 frames).
  z.object({ type: z.literal('subscribe'), runId: z.string().min(1), after: z.number().int().min(0).default(0), batch: z.boolean().default(false) }),
  z.object({ type: z.literal('unsubscribe'), runId: z.string().min(1) }),
]);

/** A frame over this is closed with 1009 (message too big); a client subscribes to this many runs at most. */
export const WS_MAX_PAYLOAD = 64 * 1024;
export const WS_MAX_SUBSCRIPTIONS = 64;

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.write(`HTTP/1.1 ${status} ${reason.replace(/[^\x20-\x7e]/g, '')}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

const badMessage = (message: string) => JSON.stringify({ type: 'error', error: { code: 'bad_message', message } });

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
  // The dashboard offers its token as a second subprotocol; the answer names only ours, never that one.
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_PAYLOAD, handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false) });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The one gate, as for /api: the token as a header or (a browser) a subprotocol, never a cookie (it
    // reaches every local port) nor the URL (URLs get logged); a browser only from the dashboard's exact origin.
    let path: string;
    try {
      path = admit(app, { method: req.method ?? 'GET', url: req.url, headers: req.headers }, { subprotocol: true, changes: true });
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError(400, 'bad_request', 'bad request');
      return refuse(socket, e.status, e.code);
    }
    if (path !== '/ws') return refuse(socket, 404, 'Not Found');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws: WebSocket) => {
    const subs = new Map<string, () => void>();
    // An oversized or malformed frame makes ws close the socket (1009, 1002): an 'error' with no listener would take the process down.
    ws.on('error', (err) => app.log.warn({ err: (err as Error).message }, 'ws client closed for a bad frame'));
    ws.on('message', (raw) => {
      const text = String(raw);
      if (jsonDeeperThan(text)) return ws.send(badMessage(`JSON is nested deeper than ${JSON_DEPTH_LIMIT} levels`));
      let msg;
      try {
        msg = clientMessage.parse(JSON.parse(text));
      } catch (err) {
        return ws.send(badMessage(`bad message: ${(err as Error).message.slice(0, 300)}`));
      }
      subs.get(msg.runId)?.();
      subs.delete(msg.runId);
      if (msg.type !== 'subscribe') return;
      if (subs.size >= WS_MAX_SUBSCRIPTIONS) return ws.send(JSON.stringify({ type: 'error', error: { code: 'too_many_subscriptions', message: `a connection follows at most ${WS_MAX_SUBSCRIPTIONS} runs; unsubscribe first` } }));
      subs.set(msg.runId, subscribe(app, ws, msg.runId, msg.after, msg.batch));
    });
    ws.on('close', () => {
      for (const off of subs.values()) off();
      subs.clear();
    });
  });
  return wss;
}
