// HTML app views on their own origin (a separate port): one document per app version, and other servers' MCP Apps
// shown in runs, behind the same Host check and token as the API, with a CSP that pins their scripts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { apps } from '../../db/repositories/versioned.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { pathTicketValid } from '../gate/ticket.js';
import { admit, hostname } from '../security.js';
import { appViewCsp, prepareAppDocument } from './document.js';
import { toolAppDocument } from './tool-app.js';
import { TOOL_APP_HOST } from './tool-app-host.js';

export interface AppViewsServer {
  port: number;
  close(): Promise<void>;
}

function refuse(res: http.ServerResponse, status: number, message: string) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(message);
}

/** A document to serve with its CSP, or why not. */
export type Served = { html: string; csp: string } | { status: number; refused: string };

/** One of our apps' HTML views: `/view/<app>/<version>`, with our bridge client first. */
async function appViewDocument(app: AppContext, path: string, frameAncestors: string[]): Promise<Served> {
  const m = /^\/view\/([A-Za-z0-9_-]+)\/(\d+)$/.exec(path);
  const v = m ? await apps.getVersion(app.store, m[1]!, Number(m[2])).catch(() => undefined) : undefined;
  if (!v || v.spec.view.kind !== 'html') return { status: 404, refused: 'no such HTML view' };
  const doc = prepareAppDocument(v.spec.view.html);
  return { html: doc.html, csp: appViewCsp(doc.scriptHashes, frameAncestors) };
}

/** Serve GET /view/<app>/<version> and /tool-app/<run>/<call>; `dashboardPort` is the only origin allowed to frame it. */
export async function startAppViews(
  app: AppContext,
  o: { host: string; port: number; dashboardPort: number },
): Promise<AppViewsServer> {
  const frameAncestors = app.allowedHosts.filter((h) => h !== '::1').map((h) => `http://${h}:${o.dashboardPort}`);
  const server = http.createServer((req, res) => {
    void (async () => {
      // The one gate; nothing here is public. A frame carries no credential of its own (a cookie would reach
      // every local port): the dashboard asks for a short-lived ticket for this one path and puts it in the URL.
      let path: string;
      // A server's apps come on its own host (tool-app-host.ts), and only they: our views keep the harness's hosts.
      const host = hostname(req.headers.host);
      const toolApp = !!host && TOOL_APP_HOST.test(host);
      try {
        const ticket = new URL(req.url ?? '/', 'http://view').searchParams.get('ticket');
        path = admit(
          toolApp ? { ...app, allowedHosts: [host] } : app,
          { method: req.method ?? 'GET', url: req.url, headers: req.headers },
          { ticket: (p) => pathTicketValid(app.token, p, ticket) },
        );
      } catch (err) {
        return err instanceof AppError ? refuse(res, err.status, err.message) : refuse(res, 400, 'bad request');
      }
      if (toolApp !== path.startsWith('/tool-app/')) return refuse(res, 404, 'no such view on this host');
      if (req.method !== 'GET') return refuse(res, 404, 'no such view');
      const served = path.startsWith('/tool-app/')
        ? await toolAppDocument(app, path, host!, frameAncestors)
        : await appViewDocument(app, path, frameAncestors);
      if ('refused' in served) return refuse(res, served.status, served.refused);
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': served.csp,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
        'cross-origin-resource-policy': 'same-site',
      });
      res.end(served.html);
    })().catch((err) => {
      app.log.error({ err }, 'app view failed');
      if (!res.headersSent) refuse(res, 500, 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
