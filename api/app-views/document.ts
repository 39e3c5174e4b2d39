// An app's HTML as the browser will run it: parsed with a real HTML parser, the bridge client put
// first in <head>, and the sha256 of every inline script for the CSP (anything else cannot run).
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

const textOf = (el: Element) => (el.childNodes as Node[]).map((c) => ('value' in c && c.nodeName === '#text' ? (c.value as string) : '')).join('');

export interface AppDocument {
  html: string;
  /** 'sha256-…' sources for script-src: the bridge's and each inline script's. */
  scriptHashes: string[];
}

/**
 * The served document: the app's HTML re-serialized from its parse tree with the bridge injected.
 * @example prepareAppDocument('<p>hi</p><script>vloop.initialize()</script>').scriptHashes.length === 2
 */
export function prepareAppDocument(appHtml: string): AppDocument {
  const doc = parse(appHtml);
  const head = [...elements(doc)].find((e) => e.tagName === 'head')!;
  const bridge = tree.createElement('script', head.namespaceURI, []);
  tree.insertText(bridge, BRIDGE_CLIENT);
  const first = head.childNodes[0];
  if (first) tree.insertBefore(head, bridge, first);
  else tree.appendChild(head, bridge);
  const html = serialize(doc);
  // Hash what the browser will see: the scripts of the serialized document, parsed again.
  const scriptHashes = [...elements(parse(html))]
    .filter((e) => e.tagName === 'script' && !e.attrs.some((a) => a.name === 'src'))
    .map((e) => `'sha256-${crypto.createHash('sha256').update(textOf(e), 'utf8').digest('base64')}'`);
  return { html, scriptHashes: [...new Set(scriptHashes)] };
}

/** The CSP of an app view: its scripts by hash, no network at all, framed only by the dashboard. */
export function appViewCsp(scriptHashes: string[], frameAncestors: string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scriptHashes.join(' ')}`,
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
