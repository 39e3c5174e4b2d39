// WebSocket /ws: subscribe to a run from a seq; stored events first, then live ones, in order.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { redactText } from '../core/redact.js';
import type { BusMessage } from '../core/run-story/events.js';
import * as runs from '../db/repositories/runs.js';
import type { AppContext } from './context.js';
import { AppError } from './errors.js';
import { JSON_DEPTH_LIMIT, jsonDeeperThan } from './json-depth.js';
import { admit, WS_PROTOCOL } from './security.js';
import { runView } from './services/runs.js';

const clientMessage = z.discriminatedUnion('type', [
  // batch: stored events arrive as {type:"events", events:[…]} frames (a 50,000-event run is 100 frames).
  z.object({
    type: z.literal('subscribe'),
    runId: z.string().min(1),
    after: z.number().int().min(0).default(0),
    batch: z.boolean().default(false),
  }),
  z.object({ type: z.literal('unsubscribe'), runId: z.string().min(1) }),
]);

/** A frame over this is closed with 1009 (message too big); a client subscribes to this many runs at most. */
export const WS_MAX_PAYLOAD = 64 * 1024;
export const WS_MAX_SUBSCRIPTIONS = 64;

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.write(
    `HTTP/1.1 ${status} ${reason.replace(/[^\x20-\x7e]/g, '')}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  );
  socket.destroy();
}

const badMessage = (message: string) => JSON.stringify({ type: 'error', error: { code: 'bad_message', message } });

/** One subscription: drains stored events after `lastSent`, serialised so frames never interleave. */
class Subscription {
  private lastSent: number;
  private draining = false;
  private again = false;
  private closed = false;

  constructor(
    private readonly app: AppContext,
    private readonly ws: WebSocket,
    private readonly runId: string,
    after: number,
    private readonly batched: boolean,
  ) {
    this.lastSent = after;
  }

  /** Follow the bus, keep the run's tail read, send the run then its events; returns the unsubscribe. */
  start(): () => void {
    const offBus = this.app.bus.subscribe(this.runId, (m) => this.onBus(m));
    const unwatch = this.app.tailer.watch(this.runId);
    void runView(this.app, this.runId).then(
      (run) => {
        this.send({ type: 'run', run });
        void this.drain();
      },
      () => this.send({ type: 'error', error: { code: 'not_found', message: `run '${this.runId}' not found` } }),
    );
    return () => {
      this.closed = true;
      offBus();
      unwatch();
    };
  }

  private send(frame: unknown): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** The bus only wakes: stored events are read back from the store; deltas (never stored) pass through redacted. */
  private onBus(m: BusMessage): void {
    const { app, runId } = this;
    if (m.type === 'events' && m.lastSeq > this.lastSent) void this.drain();
    else if (m.type === 'delta')
      this.send({
        type: 'delta',
        runId,
        callId: m.callId,
        text: redactText(m.text, app.secrets.list()),
        ...(m.reset ? { reset: true } : {}),
      });
    else if (m.type === 'run')
      void runView(app, runId).then(
        (run) => this.send({ type: 'run', run }),
        () => {},
      );
  }

  /** One drain at a time; a wake-up during it runs it again. */
  private async drain(): Promise<void> {
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.again = false;
        await this.sendStored();
      } while (this.again && !this.closed);
    } catch (err) {
      this.app.log.warn({ err, runId: this.runId }, 'ws drain failed');
    } finally {
      this.draining = false;
    }
  }

  /** Every stored event after `lastSent`, 500 at a time. */
  private async sendStored(): Promise<void> {
    for (;;) {
      const batch = await runs.listEvents(this.app.store, this.runId, this.lastSent, 500);
      if (!batch.length || this.closed) return;
      if (this.batched) this.send({ type: 'events', runId: this.runId, events: batch });
      else for (const e of batch) this.send({ type: 'event', runId: this.runId, seq: e.seq, event: e });
      this.lastSent = batch[batch.length - 1]!.seq;
    }
  }
}

export function attachWebSocket(app: AppContext, server: Server): WebSocketServer {
  // The dashboard offers its token as a second subprotocol; the answer names only ours, never that one.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: WS_MAX_PAYLOAD,
    handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The one gate, as for /api: the token as a header or (a browser) a subprotocol, never a cookie (it
    // reaches every local port) nor the URL (URLs get logged); a browser only from the dashboard's exact origin.
    let path: string;
    try {
      path = admit(
        app,
        { method: req.method ?? 'GET', url: req.url, headers: req.headers },
        { subprotocol: true, changes: true },
      );
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
      if (subs.size >= WS_MAX_SUBSCRIPTIONS)
        return ws.send(
          JSON.stringify({
            type: 'error',
            error: {
              code: 'too_many_subscriptions',
              message: `a connection follows at most ${WS_MAX_SUBSCRIPTIONS} runs; unsubscribe first`,
            },
          }),
        );
      subs.set(msg.runId, new Subscription(app, ws, msg.runId, msg.after, msg.batch).start());
    });
    ws.on('close', () => {
      for (const off of subs.values()) off();
      subs.clear();
    });
  });
  return wss;
}
