// The script injected first into every HTML app view, before any of the view's code: it turns WebRTC
// off for good, keeps the view from making frames it could run code in, and gives the view
// `window.vloop`, a JSON-RPC 2.0 client over a MessagePort it hands the dashboard in its first message
// (method names follow the MCP Apps extension where they overlap). The port belongs to this document
// alone: whatever the frame loads next has no bridge. Served inline and pinned by its hash.
export const BRIDGE_CLIENT = `(() => {
  // Built-ins the checks below rely on, taken before the view's code can replace them.
  const apply = Reflect.apply, indexOf = String.prototype.indexOf, lower = String.prototype.toLowerCase, Str = String, Err = TypeError;
  // WebRTC reaches the network whatever connect-src says (STUN over UDP, TURN over TCP), and chromium
  // ignores CSP's webrtc directive: every RTC interface is undefined, and cannot be defined again.
  for (const name of Object.getOwnPropertyNames(window)) {
    if (/^(webkit|moz)?RTC/.test(name)) Object.defineProperty(window, name, { value: undefined, writable: false, enumerable: false, configurable: false });
  }
  // A frame the view makes would be a fresh window with WebRTC back. CSP stops frames that load a URL;
  // srcdoc and parsed HTML are stopped here: the CSP requires Trusted Types, this is the only policy.
  const framing = ['<iframe', '<frame', '<object', '<embed', '<portal', '<fencedframe'];
  if (window.trustedTypes) {
    trustedTypes.createPolicy('default', {
      createHTML(html, _type, sink) {
        if (apply(indexOf, Str(sink), ['srcdoc']) !== -1) throw new Err('an app view cannot set srcdoc');
        const text = apply(lower, Str(html), []);
        for (let i = 0; i < framing.length; i++) if (apply(indexOf, text, [framing[i]]) !== -1) throw new Err('an app view cannot make frames');
        return html;
      },
    });
  }
  let next = 1;
  const pending = new Map();
  const listeners = [];
  const channel = new MessageChannel();
  const port = channel.port1;
  port.onmessage = (e) => {
    const m = e.data;
    if (!m || m.jsonrpc !== '2.0') return;
    if (m.id !== undefined && pending.has(m.id)) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code, data: m.error.data }));
      else p.resolve(m.result);
    } else if (m.method) for (const l of listeners) l(m.method, m.params);
  };
  // The parent is the dashboard (frame-ancestors); '*' because a sandboxed document cannot name it.
  parent.postMessage({ jsonrpc: '2.0', method: 'vloop/bridge' }, '*', [channel.port2]);
  const send = (method, params) => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    port.postMessage({ jsonrpc: '2.0', id, method, params });
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
