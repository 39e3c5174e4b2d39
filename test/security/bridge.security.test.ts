// Class 10 (the app bridge): a view that navigates its own frame away loses the bridge (the page it
// loads is never answered, nothing it asks runs, and the app page says so), and WebRTC reaches no
// one from a view, by any window the view can make. Real `harness up`, real chromium, real sockets.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPredictReply } from '../../core/adapters.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import { freePort } from '../helpers/ports.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { until } from '../helpers/processes.js';
import { TOKEN } from '../helpers/stack.js';

const target = { kind: 'pipeline', name: 'review-digest', version: 1 };

/** A page for the frame after the view navigated away: it asks the bridge everything and reports each answer to its own server. */
const FOREIGN = `<!doctype html><title>foreign</title><script>
  window.got = [];
  const report = (what) => { window.got.push(what); fetch('/reply?' + encodeURIComponent(what), { mode: 'no-cors' }).catch(() => {}); };
  addEventListener('message', (e) => report(JSON.stringify(e.data) + (e.ports.length ? ' +port' : '')));
  const ask = (id, method, params) => parent.postMessage({ jsonrpc: '2.0', id, method, params }, '*');
  ask(1, 'ui/initialize', { protocolVersion: '2025-06-18', appInfo: { name: 'foreign' } });
  ask(2, 'vloop/runs/list', {});
  ask(3, 'vloop/state/get', {});
  ask(4, 'tools/call', { name: 'run', arguments: { text: 'hijacked' } });
  // A bridge-style hello with a port of its own, as the first load's bootstrap sends.
  const c = new MessageChannel();
  c.port1.onmessage = (e) => report('on port: ' + JSON.stringify(e.data));
  parent.postMessage({ jsonrpc: '2.0', method: 'vloop/bridge' }, '*', [c.port2]);
  c.port1.postMessage({ jsonrpc: '2.0', id: 5, method: 'ui/initialize', params: {} });
  document.title = 'asked';
</script>`;

/** An HTML view: its first load asks the bridge (the control), keeps the answer in its state, then navigates its frame to `to` by `how`. */
const navigatingView = (
  how: 'anchor' | 'location' | 'refresh',
  to: string,
) => `<!doctype html><html><head><title>hop</title></head><body>
<a id="away" href="${to}">away</a>
<script>
(async () => {
  const init = await vloop.initialize();
  await vloop.setState({ init: init.app.name });
  const to = document.getElementById('away').href;
  if ('${how}' === 'anchor') document.getElementById('away').click();
  if ('${how}' === 'location') location = to;
  if ('${how}' === 'refresh') { const m = document.createElement('meta'); m.httpEquiv = 'refresh'; m.content = '0;url=' + to; document.head.appendChild(m); }
})();
</script></body></html>`;

/** The code that opens a peer connection to the STUN (UDP) and TURN (TCP) canaries; `PC` is the constructor to try. */
const rtc = (stun: number, turn: number) =>
  `const dial = (PC) => { const pc = new PC({ iceServers: [{ urls: 'stun:127.0.0.1:${stun}' }, { urls: 'turn:127.0.0.1:${turn}?transport=tcp', username: 'u', credential: 'c' }] }); pc.createDataChannel('x'); return pc.createOffer().then((o) => pc.setLocalDescription(o)).then(() => 'dialled'); };`;

describe('the app bridge (class 10)', () => {
  let session: UpSession;
  let url: string;
  let fake: FakeProvider;
  let foreign: http.Server;
  let foreignUrl: string;
  const foreignHits: string[] = [];
  const api = (method: string, p: string, body?: unknown) => session.api(method, p, body);
  /** A tab with the dashboard's CSP switched off (its own context, signed in like the first). */
  const bypassingCsp = async () => {
    const context = await session.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${url}/ui/?token=${TOKEN}`);
    return page;
  };

  beforeAll(async () => {
    fake = await startFakeProvider('openai', () =>
      formatPredictReply({ summary: 's', sentiment: 'positive', headline: 'h', combined: 'c' }),
    );
    // Stands in for a foreign site: every request is counted, the page it serves asks the bridge.
    foreign = http.createServer((req, res) => {
      foreignHits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(req.url?.startsWith('/page') ? FOREIGN : 'ok');
    });
    const port = await freePort();
    await new Promise<void>((r) => foreign.listen(port, '127.0.0.1', r));
    foreignUrl = `http://127.0.0.1:${port}`;
    session = await startHarnessUp(fake.baseUrl);
    ({ url } = session);
    if (process.env.DEBUG_BRIDGE) session.page.on('console', (m) => console.log('console:', m.text()));
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
    await new Promise((r) => foreign?.close(r));
  });

  // Twice: as the dashboard is served (its CSP lets app frames load the apps origin only), and with
  // CSP bypassed, so the foreign page does load and only the bridge stands between it and the app.
  for (const layer of ['dashboard', 'bridge alone'] as const) {
    for (const how of ['anchor', 'location', 'refresh'] as const) {
      it(`a view that navigates its frame away (${how}; ${layer}) loses the bridge: the foreign page is never answered and nothing runs`, async () => {
        const name = `hop-${how}-${layer === 'dashboard' ? 'csp' : 'bridge'}`;
        foreignHits.length = 0;
        const page = layer === 'dashboard' ? session.page : await bypassingCsp();
        await api('POST', '/api/apps', {
          name,
          target,
          view: { kind: 'html', html: navigatingView(how, `${foreignUrl}/page?secret=${name}`) },
        });
        await page.goto(`${url}/ui/apps/${name}`);
        // Control: the first load has the bridge.
        await until(
          async () => (await api('GET', `/api/apps/${name}/state`)).init === name,
          `the first load of ${name} to be answered`,
        );
        // The frame left: the app page says so, or (on a bridge that answers anyone) the foreign page hears back.
        const notice = page.locator('[data-test=bridge-closed]');
        await until(
          async () => (await notice.isVisible()) || foreignHits.some((h) => h.startsWith('/reply')),
          `${name}: the notice or a reply to the foreign page`,
        );
        expect(
          foreignHits.filter((h) => h.startsWith('/reply')),
          'answers the foreign page got',
        ).toEqual([]);
        expect(await notice.textContent()).toContain(
          'This view navigated away; its bridge was closed. Reload the app.',
        );
        expect((await api('GET', `/api/apps/${name}/runs`)).runs, 'runs the foreign page started').toEqual([]);
        if (layer === 'dashboard') {
          // The data in the URL never left: the dashboard lets its app frame load only the apps origin.
          expect(foreignHits, 'foreign requests').toEqual([]);
        } else {
          // The foreign page did load here (so the bridge was what held), and had its chance to ask.
          expect(foreignHits.filter((h) => h.startsWith('/page'))).toHaveLength(1);
          await page.context().close();
        }
      });
    }
  }

  describe('WebRTC', () => {
    let udp: dgram.Socket;
    let tcp: net.Server;
    const udpPackets: string[] = [];
    const tcpConnections: string[] = [];
    let stun: number;
    let turn: number;

    beforeAll(async () => {
      udp = dgram.createSocket('udp4');
      udp.on('message', (_m, from) => udpPackets.push(`${from.address}:${from.port}`));
      stun = await freePort();
      await new Promise<void>((r) => udp.bind(stun, '127.0.0.1', r));
      tcp = net.createServer((s) => {
        tcpConnections.push(`${s.remoteAddress}:${s.remotePort}`);
        s.destroy();
      });
      turn = await freePort();
      await new Promise<void>((r) => tcp.listen(turn, '127.0.0.1', r));
    });
    afterAll(async () => {
      udp?.close();
      await new Promise((r) => tcp?.close(r));
    });

    it('the canaries work: the same code on a plain page reaches the STUN and TURN listeners', async () => {
      const page = await session.browser.newPage();
      try {
        const control = http.createServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end(
            `<!doctype html><script>${rtc(stun, turn)} dial(RTCPeerConnection).then((r) => (document.title = r));</script>`,
          );
        });
        const port = await freePort();
        await new Promise<void>((r) => control.listen(port, '127.0.0.1', r));
        try {
          await page.goto(`http://127.0.0.1:${port}/`);
          await until(
            () => udpPackets.length > 0 && tcpConnections.length > 0,
            'the control page to reach both canaries',
          );
        } finally {
          await new Promise((r) => control.close(r));
        }
      } finally {
        await page.close();
      }
      udpPackets.length = 0;
      tcpConnections.length = 0;
    });

    it('a view reaches neither canary: not from its window, a restored constructor, a child window, srcdoc or parsed HTML', async () => {
      // The child's script is also one of the view's own (so its hash is in the CSP the child inherits).
      // Each script is a block: two top-level \`const dial\` would not compile.
      const child = `{ ${rtc(stun, turn)} try { dial(RTCPeerConnection).then((r) => parent.postMessage('child ' + r, '*'), (e) => parent.postMessage('child failed ' + e, '*')); } catch (e) { parent.postMessage('child threw ' + e, '*'); } }`;
      const attr = (v: string) => v.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
      // Frames written into the HTML itself, one in a declarative shadow root: the server takes them out.
      const written = `<iframe srcdoc="${attr(`<script>${child}</script>`)}"></iframe><div><template shadowrootmode="open"><iframe srcdoc="${attr(`<script>${child}</script>`)}"></iframe></template></div><object data="data:text/html,${encodeURIComponent(`<script>${child}</script>`)}"></object>`;
      const html = `<!doctype html><html><head><title>rtc</title></head><body>${written}<script>${child}</script><script>
(async () => {
  ${rtc(stun, turn)}
  const report = {};
  const attempt = async (name, fn) => { try { report[name] = String(await fn()); } catch (e) { report[name] = 'blocked: ' + e; } };
  const heard = [];
  addEventListener('message', (e) => { if (typeof e.data === 'string') heard.push(e.data); });
  report.written = String(document.querySelectorAll('iframe, object').length + (document.querySelector('div').shadowRoot?.querySelectorAll('iframe').length ?? 0));
  await attempt('window', () => dial(window.RTCPeerConnection));
  await attempt('webkit', () => dial(window.webkitRTCPeerConnection));
  await attempt('restored', () => { delete window.RTCPeerConnection; return dial(window.RTCPeerConnection); });
  await attempt('redefined', () => { Object.defineProperty(window, 'RTCPeerConnection', { value: 1, configurable: true }); return dial(window.RTCPeerConnection); });
  await attempt('childWindow', () => { const f = document.createElement('iframe'); document.body.appendChild(f); return dial(f.contentWindow.RTCPeerConnection); });
  await attempt('childByIndex', () => dial(window[0].RTCPeerConnection));
  const script = document.scripts[1].textContent;
  await attempt('srcdoc', () => { const f = document.createElement('iframe'); f.srcdoc = '<script>' + script + '<' + '/script>'; document.body.appendChild(f); return 'appended'; });
  await attempt('srcdocAttr', () => { const f = document.createElement('iframe'); f.setAttribute('srcdoc', '<script>' + script + '<' + '/script>'); document.body.appendChild(f); return 'appended'; });
  await attempt('srcdocAttrNode', () => { const f = document.createElement('iframe'); const a = document.createAttribute('srcdoc'); a.value = '<script>' + script + '<' + '/script>'; f.setAttributeNode(a); document.body.appendChild(f); return 'appended'; });
  await attempt('innerHTML', () => { const d = document.createElement('div'); d.innerHTML = '<iframe srcdoc="' + ('<script>' + script + '<' + '/script>').replaceAll('"', '&quot;') + '"></iframe>'; document.body.appendChild(d); return 'appended'; });
  await attempt('domParser', () => { const doc = new DOMParser().parseFromString('<iframe srcdoc="<script>' + script.replaceAll('"', '&quot;') + '<' + '/script>"></iframe>', 'text/html'); document.body.appendChild(document.adoptNode(doc.body.firstChild)); return 'appended'; });
  // Children that ran would have said so by now (a bounded wait inside the view: a child that cannot run never says anything).
  await new Promise((r) => setTimeout(r, 1500));
  report.children = heard.join(' | ');
  await vloop.setState({ rtc: report });
})();
</script></body></html>`;
      await api('POST', '/api/apps', { name: 'dialler', target, view: { kind: 'html', html } });
      await session.page.goto(`${url}/ui/apps/dialler`);
      await until(
        async () => !!(await api('GET', '/api/apps/dialler/state')).rtc,
        'the view to report its WebRTC attempts',
      );
      const report = (await api('GET', '/api/apps/dialler/state')).rtc as Record<string, string>;
      // The one bounded wait: ICE gathering sends its STUN and TURN requests soon after
      // setLocalDescription; nothing can say "no packet will ever come", so give it 3 s.
      await new Promise((r) => setTimeout(r, 3000));
      expect({ udpPackets, tcpConnections, report }).toMatchObject({ udpPackets: [], tcpConnections: [] });
      if (process.env.DEBUG_BRIDGE) console.log(report);
      // Every way was tried and refused: no constructor, no frame of its own, no HTML that makes one.
      for (const k of ['window', 'webkit', 'restored', 'redefined'])
        expect(report[k], k).toMatch(/^blocked: TypeError/);
      for (const k of ['childWindow', 'childByIndex']) expect(report[k], k).toMatch(/^blocked: SecurityError/);
      for (const k of ['srcdoc', 'srcdocAttr', 'srcdocAttrNode', 'innerHTML', 'domParser'])
        expect(report[k], k).toMatch(/^blocked: TypeError/);
      expect(report.children).toBe('');
      expect(report.written, 'frames left in the served HTML').toBe('0');
    });
  });
});
