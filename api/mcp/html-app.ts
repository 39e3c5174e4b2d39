// An HTML app view as an MCP App: the view as it is, with `window.vloop` given by a script put first in its <head>
// that speaks the MCP Apps protocol through ext-apps' own `App` (inline, nothing fetched). `run(inputs)` calls the
// exposed tool through the host (the host's user may do what the tool allows, nothing else); what only the dashboard
// keeps (the app's runs, its state) is refused with a clear error.
import { pinScripts } from '../app-views/document.js';

/** What the script needs: the exposed tool the view runs, and the app as `vloop.initialize()` describes it. */
export interface HtmlAppBoot {
  tool: string;
  app: { name: string; version: number; target: unknown; inputsSchema: unknown };
}

/** JSON inside a <script>: nothing in it can close the element. */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The classic script that gives the view `window.vloop` before any of its own code runs. */
function vloopOverMcpApps(appBundle: string, boot: HtmlAppBoot): string {
  return `(() => {
  'use strict';
${appBundle}
  const boot = ${scriptJson(boot)};
  const listeners = [];
  const notify = (method, params) => { for (const l of listeners) l(method, params); };
  const app = new McpApp({ name: boot.app.name, version: String(boot.app.version) });
  // A tool result as the dashboard's bridge tells it: the standard result, with the run's id, status and outputs.
  const outcome = (r) => {
    const run = (r._meta && r._meta['vloop/run']) || {};
    const text = (r.content || []).map((c) => c.text || '').join('\\n');
    return { ...r, runId: run.id || null, status: run.status || (r.isError ? 'failed' : 'completed'),
      outputs: r.isError ? null : (r.structuredContent || null), error: r.isError ? text : null };
  };
  app.ontoolresult = (r) => notify('ui/notifications/tool-result', outcome(r));
  let connected;
  const initialize = () => (connected = connected || app.connect().then(() => ({
    protocolVersion: '2026-01-26', hostInfo: app.getHostVersion(), hostContext: app.getHostContext(), app: boot.app,
  })));
  const run = async (inputs) => {
    await initialize();
    const o = outcome(await app.callServerTool({ name: boot.tool, arguments: inputs || {} }));
    notify('ui/notifications/tool-result', o);
    return { id: o.runId, status: o.status };
  };
  const dashboardOnly = (what) => Promise.reject(Object.assign(
    new Error(what + ' is kept by the harness dashboard; this view runs in an MCP Apps host'), { code: -32601 }));
  window.vloop = Object.freeze({
    initialize,
    run,
    runs: () => dashboardOnly('runs()'),
    getState: () => dashboardOnly('getState()'),
    setState: () => dashboardOnly('setState()'),
    on: (fn) => { listeners.push(fn); },
    request: (method, params) => method === 'tools/call' ? run((params || {}).arguments) : dashboardOnly(method),
  });
})();`;
}

/** The served document: the view's own HTML, re-serialized, with the script first in <head>. */
export function htmlAppDocument(viewHtml: string, appBundle: string, boot: HtmlAppBoot): string {
  return pinScripts(viewHtml, { firstScript: vloopOverMcpApps(appBundle, boot) }).html;
}
