// The only way out of a sandboxed command's empty network namespace: an HTTP proxy on a unix socket,
// bind-mounted into the sandbox, that judges every CONNECT and every absolute-URI request (host and
// port) before it opens a connection, and lives for one command.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { DestinationVerdict } from './destination.js';
import { harnessFile } from '../../config/root.js';

/** Where the command's tools find the proxy inside the sandbox (HTTP_PROXY …). */
export const PROXY_PORT = 3128;
const FORWARDER = harnessFile('sandbox', 'network', 'forwarder.mjs');
const MAX_REFUSALS = 5;

export interface NetworkProxy {
  /** What the sandbox adds: the paths it shows inside (the proxy's directory, node), and the launcher that runs before `bash -c`. */
  sandbox: { binds: Array<{ source: string }>; launcher: string[] };
  /** Destinations refused so far (the first few), to tell the agent why its command could not connect. */
  refused: string[];
  close(): Promise<void>;
}

export type JudgeDestination = (host: string, port: number) => Promise<DestinationVerdict>;

/** Headers without the hop-by-hop ones, which belong to one connection and not the next. */
function endToEnd(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const out = { ...headers };
  for (const h of [
    'proxy-authorization',
    'proxy-connection',
    'proxy-authenticate',
    'connection',
    'keep-alive',
    'te',
    'trailer',
    'upgrade',
  ])
    delete out[h];
  return out;
}

/** `host:port` or `[v6]:port`, as CONNECT names its target. */
function authority(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  return m ? { host: (m[1] ?? m[2])!, port: Number(m[3]) } : undefined;
}

/** One proxy's bookkeeping: its open sockets, what it refused, and the judge's verdicts (fail closed). */
interface ProxyState {
  sockets: Set<net.Socket>;
  refused: string[];
  track(s: net.Socket): void;
  refuse(reason: string): void;
  verdictFor(host: string, port: number): Promise<DestinationVerdict>;
}

function proxyState(judge: JudgeDestination): ProxyState {
  const sockets = new Set<net.Socket>();
  const refused: string[] = [];
  return {
    sockets,
    refused,
    track: (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    },
    refuse: (reason) => {
      if (refused.length < MAX_REFUSALS && !refused.includes(reason)) refused.push(reason);
    },
    // A judge that throws refuses (fail closed): nothing is connected without a verdict.
    verdictFor: (host, port) =>
      judge(host, port).catch((err: Error) => ({
        ok: false,
        reason: `${host}:${port} could not be judged: ${err.message}`,
      })),
  };
}

/** A plain-HTTP request with an absolute URI: judged, then forwarded to the address the judge checked. */
function forwardRequest(st: ProxyState) {
  return async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const answer = (status: number, text: string) =>
      void res
        .writeHead(status, { 'content-type': 'text/plain', connection: 'close' })
        .end(`vloop network proxy: ${text}\n`);
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return answer(400, 'only absolute http:// URLs and CONNECT are proxied');
    }
    if (url.protocol !== 'http:')
      return answer(400, `${url.protocol} is not proxied (https and others go through CONNECT)`);
    const port = Number(url.port || 80);
    const verdict = await st.verdictFor(url.hostname, port);
    if (!verdict.ok) {
      st.refuse(verdict.reason);
      return answer(403, `refused ${verdict.reason}`);
    }
    const upstream = http.request({
      host: verdict.address,
      port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers: { ...endToEnd(req.headers), host: url.host },
      agent: false,
      setHost: false,
    });
    upstream.on('socket', st.track);
    upstream.on('response', (r) => {
      res.writeHead(r.statusCode ?? 502, endToEnd(r.headers));
      r.pipe(res);
    });
    upstream.on('error', (err) => (res.headersSent ? res.destroy() : answer(502, err.message)));
    req.pipe(upstream);
  };
}

/** A CONNECT: judged, then a tunnel to the address the judge checked. */
function tunnel(st: ProxyState) {
  return async (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    st.track(client);
    const fail = (status: string, text: string) =>
      client.end(
        `HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nvloop network proxy: ${text}\n`,
      );
    const target = authority(req.url ?? '');
    if (!target) return void fail('400 Bad Request', `${req.url} is not host:port`);
    const verdict = await st.verdictFor(target.host, target.port);
    if (!verdict.ok) {
      st.refuse(verdict.reason);
      return void fail('403 Forbidden', `refused ${verdict.reason}`);
    }
    const upstream = net.connect(target.port, verdict.address);
    st.track(upstream);
    upstream.once('error', (err) => fail('502 Bad Gateway', err.message));
    upstream.once('connect', () => {
      upstream.removeAllListeners('error');
      upstream.on('error', () => client.destroy());
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
  };
}

/** The socket's first line is the token; what follows is HTTP for the proxy. */
function tokenGate(token: string, proxy: http.Server, st: ProxyState): net.Server {
  return net.createServer((conn) => {
    st.track(conn);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) return void (head.length > 128 && conn.destroy());
      conn.off('data', onData);
      const given = head.subarray(0, nl);
      if (given.length !== token.length || !crypto.timingSafeEqual(given, Buffer.from(token)))
        return void conn.destroy();
      conn.pause();
      conn.unshift(head.subarray(nl + 1));
      proxy.emit('connection', conn);
      process.nextTick(() => conn.resume());
    };
    conn.on('data', onData);
  });
}

/**
 * Start a proxy for one command. Connections to its socket must open with a per-command token (the
 * forwarder in the sandbox sends it), so another sandbox that sees the socket cannot borrow this
 * command's network.
 */
export async function startNetworkProxy(judge: JudgeDestination): Promise<NetworkProxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-net-'));
  const socketPath = path.join(dir, 'proxy.sock');
  const forwarder = path.join(dir, 'forwarder.mjs');
  fs.copyFileSync(FORWARDER, forwarder);
  const token = crypto.randomBytes(24).toString('hex');
  const st = proxyState(judge);
  const proxy = http.createServer(forwardRequest(st));
  proxy.on('connect', tunnel(st));
  const gate = tokenGate(token, proxy, st);
  await new Promise<void>((resolve, reject) => gate.once('error', reject).listen(socketPath, resolve));
  fs.chmodSync(socketPath, 0o600);

  return {
    sandbox: {
      binds: [{ source: dir }, { source: process.execPath }],
      launcher: [process.execPath, forwarder, socketPath, String(PROXY_PORT), token, '--'],
    },
    refused: st.refused,
    close: async () => {
      for (const s of st.sockets) s.destroy();
      await new Promise<void>((resolve) => gate.close(() => resolve()));
      proxy.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
