// The script injected into every HTML app view: `window.vloop`, a JSON-RPC 2.0 client over
// postMessage to the dashboard (method names follow the MCP Apps extension where they overlap).
// It is served inline and pinned by its hash like the app's own scripts.
export const BRIDGE_CLIENT = `(() => {
  let next = 1;
  const pending = new Map();
  const listeners = [];
  const send = (method, params) => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    parent.postMessage({ jsonrpc: '2.0', id, method, params }, '*');
  });
  addEventListener('message', (e) => {
    if (e.source !== parent) return;
    const m = e.data;
    if (!m || m.jsonrpc !== '2.0') return;
    if (m.id !== undefined && pending.has(m.id)) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code, data: m.error.data }));
      else p.resolve(m.result);
    } else if (m.method) for (const l of listeners) l(m.method, m.params);
  });
  window.vloop = Object.freeze({
    initialize: () => send('ui/initialize', { protocolVersion: '2025-06-18', appInfo: { name: document.title || 'app' } }),
    run: (inputs) => send('tools/call', { name: 'run', arguments: inputs || {} }),
    runs: () => send('vloop/runs/list', {}),
    getState: () => send('vloop/state/get', {}),
    setState: (state) => send('vloop/state/set', { state }),
    on: (fn) => { listeners.push(fn); },
    request: send,
  });
})();`;
