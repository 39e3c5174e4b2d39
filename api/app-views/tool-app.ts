// Another server's MCP App, in two documents on the apps port under the server's own host (tool-app-host.ts), as the
// MCP Apps sandbox proxy wants it: the proxy, which the
// dashboard frames and bridges, and inside it the view, read from its server when it loads. The view's parent is the
// proxy, a window of its own origin (apps such as Vue's example read it as an object); the proxy relays messages
// between the view and the dashboard, from its first view only.
import { redactText } from '../../core/redact.js';
import { readMcpAppView } from '../../mcp/client.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { pathTicket } from '../gate/ticket.js';
import { toolAppCall } from '../services/tool-apps.js';
import { pinScripts } from './document.js';
import type { Served } from './server.js';
import { grantDeclaredCsp, toolAppCsp } from './tool-app-csp.js';
import { toolAppHost } from './tool-app-host.js';

/** `/tool-app/<run>/<call>` (the proxy) and `/tool-app/<run>/<call>/view` (the view). */
const TOOL_APP = /^\/tool-app\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_%.-]+)(\/view)?$/;

// The relay: the dashboard's messages to the view, the view's to the dashboard; a second document in the view's frame
// is taken away and the dashboard told (it closes the bridge).
const RELAY = `(() => {
  const view = document.getElementById('view');
  let loads = 0;
  view.addEventListener('load', () => {
    if (++loads === 1) return;
    view.remove();
    parent.postMessage({ jsonrpc: '2.0', method: 'vloop/view-navigated' }, '*');
  });
  addEventListener('message', (e) => {
    if (e.source === parent) view.contentWindow?.postMessage(e.data, '*');
    else if (e.source === view.contentWindow) parent.postMessage(e.data, '*');
  });
})();`;

const attr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function proxyDocument(viewSrc: string, frameAncestors: string[]): Served {
  const doc = pinScripts(
    `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;height:100%}iframe{border:0;width:100%;height:100%;display:block}</style></head>` +
      `<body><iframe id="view" sandbox="allow-scripts allow-same-origin allow-forms" referrerpolicy="no-referrer" src="${attr(viewSrc)}"></iframe>` +
      `<script>${RELAY}</script></body></html>`,
    {},
  );
  const csp = [
    "default-src 'none'",
    `script-src ${doc.scriptHashes.join(' ')}`,
    "style-src 'unsafe-inline'",
    "frame-src 'self'",
    "child-src 'self'",
    "worker-src 'none'",
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.join(' ')}`,
    'sandbox allow-scripts allow-same-origin',
  ].join('; ');
  return { html: doc.html, csp };
}

/** The proxy or the view of one tool call's app; the view is read from its server now. */
export async function toolAppDocument(
  app: AppContext,
  path: string,
  host: string,
  frameAncestors: string[],
): Promise<Served> {
  const m = TOOL_APP.exec(path);
  if (!m) return { status: 404, refused: 'no such app' };
  const [, runId, encodedCall, isView] = m as unknown as [string, string, string, string | undefined];
  try {
    const call = await toolAppCall(app, runId, decodeURIComponent(encodedCall));
    // Each server's apps on their own host: another server's host does not serve this one.
    if (host !== toolAppHost(call.server)) return { status: 404, refused: 'no such app on this host' };
    if (!isView) {
      const viewPath = `${path}/view`;
      return proxyDocument(`${viewPath}?ticket=${pathTicket(app.token, viewPath)}`, frameAncestors);
    }
    const view = await readMcpAppView(call.server, call.spec, call.resourceUri, app.config.tools);
    const doc = pinScripts(view.html, {});
    const { granted, refused } = grantDeclaredCsp(view.csp);
    if (refused.length)
      app.log.warn({ server: call.server, refused }, 'an MCP App asked for origins it is not granted');
    return { html: doc.html, csp: toolAppCsp(doc.scriptHashes, granted, ["'self'", ...frameAncestors]) };
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, refused: err.message };
    const message = `the app could not be read from its server: ${(err as Error).message}`;
    return { status: 502, refused: redactText(message, app.secrets.list()) };
  }
}
