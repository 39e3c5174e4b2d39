// /ui/: serves web/dist when built, else a plain status page. The dashboard takes ?token= into its own
// storage (scoped to this port, unlike a cookie) and out of the address bar; the server sets no cookie.
// Files are sent by @koa/send: under the build only (no `..`, however encoded), never a dotfile or a directory.
import path from 'node:path';
import Router from '@koa/router';
import { send } from '@koa/send';
import type Koa from 'koa';
import { dashboardCsp } from './app-views/document.js';
import type { AppContext } from './context.js';
import { harnessFile } from '../config/root.js';

const builtDashboard = harnessFile('web', 'dist');
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function plainPage(app: AppContext): string {
  return `<!doctype html><meta charset="utf-8"><title>Vloop Harness</title>
<body style="font-family:system-ui;max-width:46rem;margin:3rem auto">
<h1>Vloop Harness</h1><p>The API is up. The dashboard is not built yet; until it lands, use the CLI and the API.</p>
<ul><li><a href="/api/health">/api/health</a></li><li><a href="/api/runs">/api/runs</a></li><li><a href="${app.temporal.uiUrl}">Temporal Web UI</a></li></ul></body>`;
}

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1565c0"/><path d="M8 9l8 15 8-15" fill="none" stroke="#fff" stroke-width="3.5" stroke-linecap="round" stroke-linejoin="round"/></svg>';

const legacyCookies = (header: string) =>
  [...header.matchAll(/(?:^|;\s*)(harness_token(?:_\d+)?)=/g)].map((m) => m[1]!);

/**
 * Send the built file `rel` names (still percent-encoded; send decodes it) with our content types; false when there
 * is none to send: missing, a directory, a dotfile, outside the build (send's 403) or not decodable (its 400).
 */
async function sendBuilt(ctx: Koa.Context, dist: string, rel: string): Promise<boolean> {
  const typed = () => (ctx.type = TYPES[path.extname(rel)] ?? 'application/octet-stream');
  try {
    return (
      (await send(ctx, rel, {
        root: dist,
        hidden: false,
        format: false,
        gzip: false,
        brotli: false,
        setHeaders: typed,
      })) !== undefined
    );
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status !== undefined && status >= 400 && status < 500) return false;
    throw err;
  }
}

export function uiRoutes(app: AppContext, dist = builtDashboard): Router {
  const r = new Router();
  r.get('/', (ctx) => ctx.redirect('/ui/'));
  // Browsers ask for it on every page: an icon, not a 404 in the logs.
  r.get('/favicon.ico', (ctx) => {
    ctx.type = 'image/svg+xml';
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.body = FAVICON;
  });
  r.get(/^\/ui(\/.*)?$/, async (ctx) => {
    // App frames may load the apps origin only (a view cannot take its frame, and data, elsewhere).
    ctx.set('content-security-policy', dashboardCsp(app.allowedHosts, app.appViewsPort));
    // The ?token= link's address never leaves as a Referer.
    ctx.set('referrer-policy', 'no-referrer');
    // A browser that still holds the old token cookie (it went to every local port) drops it.
    for (const name of legacyCookies(ctx.get('cookie'))) ctx.cookies.set(name, null, { path: '/', overwrite: true });
    const rel = ctx.path.replace(/^\/ui\/?/, '');
    // Any other path is the SPA's (its router reads it), and so is a missing asset.
    if ((rel && (await sendBuilt(ctx, dist, rel))) || (await sendBuilt(ctx, dist, 'index.html'))) return;
    ctx.type = 'text/html';
    ctx.body = plainPage(app);
  });
  return r;
}
