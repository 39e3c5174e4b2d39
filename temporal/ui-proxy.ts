// The managed Temporal Web UI, behind a small proxy on its public port. The dev server takes a codec
// endpoint (--ui-codec-endpoint) but no flag for the codec's includeCredentials, and without it the UI's
// browser sends our decode-only cookie to no codec: every payload stays ciphertext and the UI says
// "Codec Server could not connect". The proxy passes everything through and answers the UI's settings
// with includeCredentials on, so decoded payloads show without a manual step.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const SETTINGS = '/api/v1/settings';

export interface UiProxy {
  close(): Promise<void>;
}

/** A port nobody listens on now, on the loopback (for the UI behind the proxy). */
export function loopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = http.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The UI's settings with the codec's credentials on (when it has a codec endpoint at all). */
function withCredentials(body: Buffer): Buffer {
  try {
    const settings = JSON.parse(body.toString('utf8')) as {
      Codec?: { Endpoint?: string; IncludeCredentials?: boolean };
    };
    if (!settings.Codec?.Endpoint) return body;
    settings.Codec.IncludeCredentials = true;
    return Buffer.from(JSON.stringify(settings));
  } catch {
    return body;
  }
}

/** Listen on host:port and forward to the UI on 127.0.0.1:target. */
export async function startUiProxy(o: { host: string; port: number; target: number }): Promise<UiProxy> {
  const server = http.createServer((req, res) => {
    const settings = req.method === 'GET' && (req.url ?? '').split('?')[0] === SETTINGS;
    // The settings are rewritten, so they are asked for uncompressed.
    const headers = settings ? { ...req.headers, 'accept-encoding': 'identity' } : req.headers;
    const upstream = http.request(
      { host: '127.0.0.1', port: o.target, method: req.method, path: req.url, headers },
      (answer) => {
        if (!settings || answer.statusCode !== 200) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = withCredentials(Buffer.concat(chunks));
          const { 'transfer-encoding': _chunked, ...rest } = answer.headers;
          res.writeHead(200, { ...rest, 'content-length': String(body.length) }).end(body);
        });
      },
    );
    upstream.on('error', () =>
      res.headersSent
        ? res.destroy()
        : res.writeHead(502, { 'content-type': 'text/plain' }).end('the Temporal Web UI is not answering yet'),
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
