// The bus between processes on one machine (SQLite): a Unix socket in the project directory. The first
// process to bind it is the hub and relays every line to the others; the rest connect to it. When the
// hub goes, the others race to take its place, so any process (API or worker) may start or die first.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BusMessage } from '../core/run-story/events.js';
import { LocalBus, type EventBus } from './local-bus.js';

/** A line on the socket: a message, or the hub's hello (a peer counts as joined once the hub has it). */
interface Line {
  origin: string;
  message?: BusMessage;
}

/** The project's bus socket; a Unix socket path must stay under ~104 bytes, so a deep project's goes to the temp dir. */
export function busSocketPath(projectDir: string): string {
  const inProject = path.join(projectDir, 'bus.sock');
  if (inProject.length < 100) return inProject;
  return path.join(
    os.tmpdir(),
    `vloop-bus-${crypto.createHash('sha256').update(path.resolve(projectDir)).digest('hex').slice(0, 16)}.sock`,
  );
}

export class SocketBus implements EventBus {
  private readonly local = new LocalBus();
  private readonly origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  private server: net.Server | undefined;
  private readonly peers = new Set<net.Socket>();
  private hub: net.Socket | undefined;
  private closed = false;
  private rejoin: NodeJS.Timeout | undefined;

  private constructor(private readonly socketPath: string) {}

  /** Joins the socket at `path` (as hub or as a peer) before it returns. */
  static async join(socketPath: string): Promise<SocketBus> {
    const bus = new SocketBus(socketPath);
    await bus.attach();
    return bus;
  }

  /** Connect to the hub, or become it: a socket file nobody answers on is a dead hub's, removed first. */
  private async attach(): Promise<void> {
    for (let attempt = 0; attempt < 5 && !this.closed; attempt++) {
      const connected = await this.connect();
      if (connected === 'ok') return;
      if (connected === 'refused') fs.rmSync(this.socketPath, { force: true });
      if (await this.listen()) return;
    }
    this.scheduleRejoin();
  }

  private connect(): Promise<'ok' | 'refused' | 'absent'> {
    return new Promise((resolve) => {
      const socket = net.createConnection(this.socketPath);
      // Something that accepts but never says hello is not a hub.
      const silent = setTimeout(() => socket.destroy(), 1000);
      socket.once('connect', () => {
        this.hub = socket;
        this.readLines(socket, (line) => {
          if (!line.message) {
            clearTimeout(silent);
            resolve('ok');
          } else if (line.origin !== this.origin) this.local.publish(line.message);
        });
        socket.once('close', () => {
          clearTimeout(silent);
          if (this.hub === socket) this.hub = undefined;
          resolve('absent');
          this.scheduleRejoin();
        });
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : 'absent'));
    });
  }

  private listen(): Promise<boolean> {
    return new Promise((resolve) => {
      const server = net.createServer((peer) => {
        this.peers.add(peer);
        peer.write(`${JSON.stringify({ origin: this.origin } satisfies Line)}\n`);
        peer.on('error', () => peer.destroy());
        peer.once('close', () => this.peers.delete(peer));
        // A peer's line reaches this process and every other peer.
        this.readLines(peer, (line, raw) => {
          if (!line.message) return;
          if (line.origin !== this.origin) this.local.publish(line.message);
          for (const other of this.peers) if (other !== peer) other.write(raw);
        });
      });
      server.once('error', () => resolve(false)); // another process bound it first: join that one
      server.listen(this.socketPath, () => {
        fs.chmodSync(this.socketPath, 0o600); // only the project's owner may join its bus
        this.server = server;
        resolve(true);
      });
    });
  }

  private scheduleRejoin(): void {
    if (this.closed || this.rejoin) return;
    // Jittered, so the peers of a dead hub do not all try to bind at the same instant.
    this.rejoin = setTimeout(
      () => {
        this.rejoin = undefined;
        if (!this.hub && !this.server) void this.attach();
      },
      50 + Math.random() * 150,
    );
    this.rejoin.unref();
  }

  private readLines(socket: net.Socket, onLine: (line: Line, raw: string) => void): void {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let end: number;
      while ((end = buffered.indexOf('\n')) >= 0) {
        const raw = buffered.slice(0, end + 1);
        buffered = buffered.slice(end + 1);
        try {
          onLine(JSON.parse(raw) as Line, raw);
        } catch {
          // a truncated or foreign line: skip it
        }
      }
    });
    socket.on('error', () => socket.destroy());
  }

  publish(message: BusMessage): void {
    this.local.publish(message);
    // Alone on the socket (API and worker in one process, the usual case): nothing to write.
    const to = this.server ? [...this.peers] : this.hub ? [this.hub] : [];
    if (!to.length) return;
    const raw = `${JSON.stringify({ origin: this.origin, message } satisfies Line)}\n`;
    for (const socket of to) socket.write(raw);
  }

  subscribe(runId: string, listener: (message: BusMessage) => void): () => void {
    return this.local.subscribe(runId, listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.rejoin);
    this.hub?.destroy();
    for (const peer of this.peers) peer.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
