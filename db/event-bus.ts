// The event bus: in-process fan-out, plus a tailer that notices rows written by other processes.
import type { Client as PgClient } from 'pg';
import type { BusMessage } from '../core/run-story/events.js';
import { LocalBus, type EventBus } from './local-bus.js';
import type { Store } from './knex.js';
import { runHeads } from './repositories/runs.js';
import { busSocketPath, SocketBus } from './socket-bus.js';

export { LocalBus, type EventBus } from './local-bus.js';

/**
 * Watches the runs that have subscribers and publishes what changed, so a worker in another
 * process (SQLite or PostgreSQL alike) still reaches WebSocket clients within one interval.
 */
export class RunTailer {
  private readonly watched = new Map<string, { count: number; lastSeq: number; status: string }>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
    private readonly intervalMs = 200,
  ) {}

  watch(runId: string): () => void {
    const entry = this.watched.get(runId) ?? { count: 0, lastSeq: -1, status: '' };
    entry.count++;
    this.watched.set(runId, entry);
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
    return () => {
      if (--entry.count <= 0) this.watched.delete(runId);
      if (!this.watched.size && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const head of await runHeads(this.store, [...this.watched.keys()])) {
        const entry = this.watched.get(head.id);
        if (!entry) continue;
        if (head.lastSeq !== entry.lastSeq) this.bus.publish({ type: 'events', runId: head.id, lastSeq: head.lastSeq });
        if (entry.status && head.status !== entry.status)
          this.bus.publish({ type: 'run', runId: head.id, status: head.status });
        entry.lastSeq = head.lastSeq;
        entry.status = head.status;
      }
    } catch {
      // the store may be briefly busy or closing; the next tick tries again
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }
}

const CHANNEL = 'vloop_bus';

/**
 * PostgreSQL LISTEN/NOTIFY: what one process publishes (event wake-ups, token deltas, status moves)
 * reaches every other process on the same database, so a worker need not share the API's process.
 */
export class PgNotifyBus implements EventBus {
  private readonly local = new LocalBus();
  private readonly origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  private client: PgClient | undefined;

  private constructor(private readonly store: Store) {}

  static async connect(store: Store, url: string): Promise<PgNotifyBus> {
    const bus = new PgNotifyBus(store);
    const pg = (await import('pg')).default;
    bus.client = new pg.Client({ connectionString: url });
    await bus.client.connect();
    bus.client.on('notification', (n) => {
      try {
        const { origin, message } = JSON.parse(n.payload ?? '{}') as { origin: string; message: BusMessage };
        if (origin !== bus.origin) bus.local.publish(message);
      } catch {
        // a foreign or truncated payload: ignore it
      }
    });
    bus.client.on('error', () => {
      // losing the listener costs promptness only: the tailer still delivers events
    });
    await bus.client.query(`LISTEN ${CHANNEL}`);
    return bus;
  }

  publish(message: BusMessage): void {
    this.local.publish(message);
    const payload = JSON.stringify({ origin: this.origin, message });
    // NOTIFY payloads are capped at 8000 bytes; a delta that large is split by the sender's stream anyway.
    if (payload.length < 7900) void this.store.knex.raw('select pg_notify(?, ?)', [CHANNEL, payload]).catch(() => {});
  }

  subscribe(runId: string, listener: (message: BusMessage) => void): () => void {
    return this.local.subscribe(runId, listener);
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => {});
  }
}

/**
 * The bus for this store: LISTEN/NOTIFY on PostgreSQL (every process on the database), a Unix socket in the
 * project directory on SQLite (every process on this machine, which is where a SQLite store's processes are).
 */
export async function createBus(
  store: Store,
  o: { /** The store's URL (only PostgreSQL's is used). */ url: string; projectDir: string },
): Promise<EventBus & { close?: () => Promise<void> }> {
  if (store.dialect === 'postgres') return PgNotifyBus.connect(store, o.url);
  return SocketBus.join(busSocketPath(o.projectDir));
}
