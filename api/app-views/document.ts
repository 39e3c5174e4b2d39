// An app's HTML as the browser will run it: parsed with a real HTML parser, frames taken out, the
// bridge client put first in <head>, and the sha256 of every inline script for the CSP (anything else
// cannot run).
import crypto from 'node:crypto';
import { defaultTreeAdapter as tree, parse, serialize, type DefaultTreeAdapterMap } from 'parse5';
import { BRIDGE_CLIENT } from './bridge-client.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function* elements(node: Node): Generator<Element> {
  if ('tagName' in node) yield node as Element;
  const kids = 'childNodes' in node ? (node.childNodes as Node[]) : [];
  for (const k of kids) yield* elements(k);
  if ('content' in node && node.content) yield* elements(node.content as Node);
}

const textOf = (el: Element) =>
  (el.childNodes as Node[]).map((c) => ('value' in c && c.nodeName === '#text' ? (c.value as string) : '')).join('');

export interface AppDocument {
  html: string;
  /** 'sha256-…' sources for script-src: the bridge's and each inline script's. */
  scriptHashes: string[];
}

// Elements that make a nested browsing context: a srcdoc frame would run the view's hashed scripts in a
// fresh window the bridge client never touched (WebRTC back). Dynamic ones are stopped by Trusted Types.
const FRAMING = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'portal', 'fencedframe']);

/**
 * The served document: the app's HTML re-serialized from its parse tree with the bridge injected.
 * @example prepareAppDocument('<p>hi</p><script>vloop.initialize()</script>').scriptHashes.length === 2
 */
export function prepareAppDocument(appHtml: string): AppDocument {
  return pinScripts(appHtml, { firstScript: BRIDGE_CLIENT, dropFrames: true });
}

/**
 * A document re-serialized from its parse tree, with the sha256 of each inline script it then holds: a CSP listing
 * only those lets nothing else run. `firstScript` goes first in <head>; `dropFrames` takes out nested contexts.
 * @example pinScripts('<script>go()</script>', {}).scriptHashes.length === 1
 */
export function pinScripts(html: string, o: { firstScript?: string; dropFrames?: boolean }): AppDocument {
  const doc = parse(html);
  if (o.dropFrames) for (const el of [...elements(doc)].filter((e) => FRAMING.has(e.tagName))) tree.detachNode(el);
  if (o.firstScript) {
    const head = [...elements(doc)].find((e) => e.tagName === 'head')!;
    const script = tree.createElement('script', head.namespaceURI, []);
    tree.insertText(script, o.firstScript);
    const first = head.childNodes[0];
    if (first) tree.insertBefore(head, script, first);
    else tree.appendChild(head, script);
  }
  const out = serialize(doc);
  // Hash what the browser will see: the scripts of the serialized document, parsed again.
  const scriptHashes = [...elements(parse(out))]
    .filter((e) => e.tagName === 'script' && !e.attrs.some((a) => a.name === 'src'))
    .map((e) => `'sha256-${crypto.createHash('sha256').update(textOf(e), 'utf8').digest('base64')}'`);
  return { html: out, scriptHashes: [...new Set(scriptHashes)] };
}

/** The CSP of an app view: its scripts by hash, no network at all, no frames, framed only by the dashboard. */
export function appViewCsp(scriptHashes: string[], frameAncestors: string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scriptHashes.join(' ')}`,
    // No frame, worker or peer connection of its own (chromium ignores webrtc: the bridge client removes it).
    "frame-src 'none'",
    "child-src 'none'",
    "worker-src 'none'",
    "webrtc 'block'",
    // HTML from strings goes through the bridge client's one policy, which refuses frames and srcdoc.
    "require-trusted-types-for 'script'",
    'trusted-types default',
    "style-src 'unsafe-inline'",
    'img-src data: blob:',
    'font-src data:',
    'media-src data: blob:',
    "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.join(' ')}`,
    // Sandboxed even when opened directly, not only inside the dashboard's iframe.
    'sandbox allow-scripts allow-forms',
  ].join('; ');
}

/**
 * The dashboard's own CSP: its frames may load the apps origin (on any allowed host name, and MCP servers' apps on
 * their `.localhost` names, same port) and nothing else, so a view that navigates its frame to another site, data in
 * the URL, is stopped before any request leaves. Scripts come only from the dashboard's own files: the token lives in
 * this origin's storage, so no injected or inline script may run beside it.
 * @example dashboardCsp(['127.0.0.1'], 8001) === "frame-src http://127.0.0.1:8001 http://*.localhost:8001; child-src http://127.0.0.1:8001 http://*.localhost:8001; script-src 'self'; object-src 'none'; base-uri 'none'"
 */
export function dashboardCsp(allowedHosts: string[], appsPort: number | null): string {
  const origins = appsPort
    ? [
        ...allowedHosts.filter((h) => h !== '::1').map((h) => `http://${h}:${appsPort}`),
        `http://*.localhost:${appsPort}`,
      ]
    : [];
  const sources = origins.length ? origins.join(' ') : "'none'";
  return `frame-src ${sources}; child-src ${sources}; script-src 'self'; object-src 'none'; base-uri 'none'`;
}
